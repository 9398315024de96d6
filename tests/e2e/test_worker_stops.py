"""A worker stopped with SIGTERM hands its running attempts back at once (issue: a group
SIGTERM used to kill the pool children mid-job, and their jobs came back only at lease expiry)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import running_stack, wait_for_job

SLOW = {"REPORT_ENGINE": "tests.chaos.faults:SlowAnalyzer", "CHAOS_ANALYZE_SECONDS": "60"}


def submit(client: httpx.Client) -> str:
    accepted = client.post("/api/v1/reports/", files={"file": ("a.csv", b"a,b\n1,2\n", "text/csv")})
    assert accepted.status_code == 202, accepted.text
    return accepted.headers["Location"]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("whole_group", [False, True], ids=["main-process", "process-group"])
def test_a_worker_stopped_with_sigterm_hands_its_running_job_back_at_once(
    tmp_path: Path, fresh_database: str, fresh_redis: str, whole_group: bool
) -> None:
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=SLOW, workers=("doomed",)
    ) as stack:
        client = stack.client()
        job_url = submit(client)
        wait_for_job(client, job_url, {"running"}, timeout=30)
        worker = stack.processes["doomed"]

        signalled = time.monotonic()
        if whole_group:
            os.killpg(worker.pid, signal.SIGTERM)  # as a container runtime or systemd's default does
        else:
            worker.send_signal(signal.SIGTERM)  # as supervisord or systemd's KillMode=mixed does
        job = wait_for_job(client, job_url, {"retrying", "queued", "succeeded", "failed", "dead"}, timeout=20)
        handed_back_after = time.monotonic() - signalled
        exit_code = worker.wait(timeout=30)
        events = client.get(f"{job_url}events/").json()["results"]

        stack.env["CHAOS_ANALYZE_SECONDS"] = "0.2"
        stack.start_worker("successor")
        finished = wait_for_job(client, job_url, {"succeeded", "failed", "dead"}, timeout=60)

    assert job["status"] == "retrying", stack.log_tail()
    assert handed_back_after < 5, f"handed back {handed_back_after:.1f} s after SIGTERM, not at lease expiry"
    assert exit_code == 0, stack.log_tail()
    assert events[-1]["message"].startswith("handed back: the worker is stopping"), events[-1]
    assert (job["attempts"], job["max_attempts"]) == (1, 6), "the interrupted attempt does not count"
    assert finished["status"] == "succeeded" and finished["attempts"] == 2
