"""Upload samples/sample.csv to a running reportflow, wait for its job, print job and result.

Usage: make demo   (with `make run` running in another terminal)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("REPORTFLOW_URL", "http://127.0.0.1:8000")


def main() -> int:
    token = subprocess.run(
        [sys.executable, "manage.py", "issue_token", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    with httpx.Client(base_url=BASE_URL, headers={"Authorization": f"Token {token}"}, timeout=10) as client:
        try:
            sample = (ROOT / "samples" / "sample.csv").read_bytes()
            accepted = client.post("/api/v1/reports/", files={"file": ("sample.csv", sample, "text/csv")})
        except httpx.ConnectError:
            print(f"nothing answers at {BASE_URL}: start the service with `make run` first", file=sys.stderr)
            return 1
        accepted.raise_for_status()
        print(f"{accepted.status_code} {accepted.reason_phrase}, job at {accepted.headers['Location']}")
        deadline = time.monotonic() + 60
        while True:
            job = client.get(accepted.headers["Location"]).json()
            if job["status"] in {"succeeded", "failed", "dead", "cancelled"} or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        print("job:", json.dumps(job, indent=2))
        if job["status"] != "succeeded":
            return 1
        report = client.get(accepted.json()["links"]["report"]).json()
        result = client.get(report["links"]["result"]).json()
        print("result:", json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
