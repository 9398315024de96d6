"""Cancelling a running job takes effect within about a second, measured on a 240 MB CSV: its
profile takes well over a second, so the cancel lands while it runs (a 50 MB file could finish
between the cancel's 202 and the next checkpoint once the engine got faster, and a 120 MB one
profiled in 0.71-0.79 s at `b2af3e5`, against a cancel requested about 0.3 s into the job and
read back at most 0.5 s later). It stays below FAN_OUT_BYTES (256 MiB): one job, no chunks."""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import running_stack, wait_for_job

RUNS = 5
CSV_MB = 240


def large_csv(path: Path) -> Path:
    row = b"%d,%d.%d,customer-%d,2024-%02d-%02d,%s\n"
    with path.open("wb") as out:
        out.write(b"id,amount,customer,day,region\n")
        i = 0
        while out.tell() < CSV_MB * 1024 * 1024:
            out.write(
                b"".join(
                    row % (n, n % 997, n % 89, n % 5003, n % 12 + 1, n % 28 + 1, b"north") for n in range(i, i + 10_000)
                )
            )
            i += 10_000
    return path


def cancel_while_running(client: httpx.Client, csv: Path) -> float:
    """Upload, cancel as soon as the job runs; the seconds from the cancel request to `cancelled`,
    read from the audit trail (both events are stamped by the database's writers)."""
    with csv.open("rb") as content:
        accepted = client.post("/api/v1/reports/", files={"file": ("big.csv", content, "text/csv")})
    assert accepted.status_code == 202, accepted.text
    job_url = accepted.headers["Location"]
    wait_for_job(client, job_url, {"running"}, timeout=60)
    time.sleep(0.2)  # into the profile itself, past the claim
    assert client.post(f"{job_url}cancel/").status_code == 202
    job = wait_for_job(client, job_url, {"cancelled", "succeeded", "failed", "dead"}, timeout=30)
    assert job["status"] == "cancelled", "a 202 to cancel must not end in another status"
    events = client.get(f"{job_url}events/").json()["results"]
    requested = next(e["at"] for e in events if e["message"] == "cancel requested")
    cancelled = next(e["at"] for e in events if e["to_status"] == "cancelled")
    return (datetime.fromisoformat(cancelled) - datetime.fromisoformat(requested)).total_seconds()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_a_running_job_is_cancelled_within_a_second_or_so_of_the_request(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    csv = large_csv(tmp_path / "big.csv")
    env = {"MAX_UPLOAD_BYTES": str((CSV_MB + 16) * 1024 * 1024)}
    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env) as stack:
        client = stack.client()
        client.timeout = httpx.Timeout(60)
        latencies = sorted(cancel_while_running(client, csv) for _ in range(RUNS))

    print(
        f"cancel -> cancelled on a {CSV_MB} MiB CSV, {RUNS} runs: median {statistics.median(latencies):.3f} s, "
        f"max {latencies[-1]:.3f} s, all {[round(x, 3) for x in latencies]}"
    )
    assert latencies[-1] < 2.0, latencies
