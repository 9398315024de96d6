"""Upload samples/sample.csv to a running reportflow, wait for its job, print job and result;
and, with a webhook receiver of its own on 127.0.0.1, print the signed notification it got.

Usage: make demo   (with `make run` running in another terminal; start it with
WEBHOOK_ALLOWED_NETWORKS=127.0.0.1 to let webhooks reach this machine)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("REPORTFLOW_URL", "http://127.0.0.1:8000")
TERMINAL = {"succeeded", "failed", "dead", "cancelled"}


class Inbox(ThreadingHTTPServer):
    """A tiny webhook receiver on loopback: it keeps what it receives and answers 204."""

    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Event()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                inbox.received.append((dict(self.headers.items()), body))
                inbox.arrived.set()
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/reportflow-demo"


def register(client: httpx.Client, inbox: Inbox) -> dict[str, Any] | None:
    events = ["job.succeeded", "job.failed", "job.dead", "job.cancelled"]
    created = client.post("/api/v1/webhooks/", json={"url": inbox.url, "events": events})
    if created.status_code == 201:
        endpoint: dict[str, Any] = created.json()
        print(f"webhook endpoint registered for {inbox.url}")
        return endpoint
    if created.json().get("type") == "/problems/webhook-url-refused":
        print(
            "webhooks to this machine are refused by default (SSRF protection); to see one arrive, restart\n"
            "the service with `WEBHOOK_ALLOWED_NETWORKS=127.0.0.1 make run` and run `make demo` again\n"
        )
        return None
    created.raise_for_status()
    return None


def show_notification(inbox: Inbox, endpoint: dict[str, Any]) -> bool:
    if not inbox.arrived.wait(30):
        print("no webhook arrived within 30 s: is a worker consuming the notifications queue?")
        return False
    headers, body = inbox.received[0]
    print("webhook received:")
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        print(f"  {name}: {headers.get(name)}")
    try:
        payload = Webhook(endpoint["secret"]).verify(body, headers)
    except WebhookVerificationError as exc:
        print(f"  the signature does NOT verify: {exc}")
        return False
    print("  signature verified with the endpoint's secret (standardwebhooks)")
    print("payload:", json.dumps(payload, indent=2))
    return True


def main() -> int:
    token = subprocess.run(
        [sys.executable, "manage.py", "issue_token", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    inbox = Inbox()
    with httpx.Client(base_url=BASE_URL, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
        try:
            endpoint = register(client, inbox)
        except httpx.ConnectError:
            print(f"nothing answers at {BASE_URL}: start the service with `make run` first", file=sys.stderr)
            return 1
        try:
            sample = (ROOT / "samples" / "sample.csv").read_bytes()
            accepted = client.post("/api/v1/reports/", files={"file": ("sample.csv", sample, "text/csv")})
            accepted.raise_for_status()
            print(f"{accepted.status_code} {accepted.reason_phrase}, job at {accepted.headers['Location']}")
            deadline = time.monotonic() + 60
            while True:
                job = client.get(accepted.headers["Location"]).json()
                if job["status"] in TERMINAL or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            print("job:", json.dumps(job, indent=2))
            if job["status"] != "succeeded":
                return 1
            report = client.get(accepted.json()["links"]["report"]).json()
            result = client.get(report["links"]["result"]).json()
            print("result:", json.dumps(result, indent=2))
            if endpoint is not None and not show_notification(inbox, endpoint):
                return 1
        finally:
            if endpoint is not None:
                client.delete(endpoint["links"]["self"])
            inbox.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
