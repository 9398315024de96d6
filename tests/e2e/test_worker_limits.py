"""Bounded work per attempt: soft and hard time limits per job kind, and bounded memory."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import running_stack, wait_for_job

FAST_RECOVERY = {"LEASE_SECONDS": "2", "RECONCILE_INTERVAL_SECONDS": "0.5", "RETRY_BASE_SECONDS": "60"}


def submit(client: httpx.Client) -> str:
    accepted = client.post("/api/v1/reports/", files={"file": ("a.csv", b"a,b\n1,2\n", "text/csv")})
    assert accepted.status_code == 202, accepted.text
    return accepted.headers["Location"]


def last_event(client: httpx.Client, job_url: str) -> dict[str, str]:
    events: list[dict[str, str]] = client.get(f"{job_url}events/").json()["results"]
    return events[-1]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_an_attempt_past_its_soft_time_limit_ends_as_a_transient_error(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {
        "REPORT_ENGINE": "tests.chaos.faults:SlowAnalyzer",
        "CHAOS_ANALYZE_SECONDS": "30",
        "REPORT_SOFT_TIME_LIMIT_SECONDS": "1",
        "REPORT_TIME_LIMIT_SECONDS": "20",
        **FAST_RECOVERY,
    }
    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env) as stack:
        client = stack.client()
        job_url = submit(client)
        job = wait_for_job(client, job_url, {"retrying", "failed", "dead", "succeeded"}, timeout=20)
        event = last_event(client, job_url)

    assert job["status"] == "retrying", stack.log_tail()
    assert event["message"] == "the attempt ran past its time limit (SoftTimeLimitExceeded)"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_an_attempt_past_its_hard_time_limit_is_killed_and_its_lease_brings_the_job_back(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {
        "REPORT_ENGINE": "tests.chaos.faults:StubbornAnalyzer",
        "CHAOS_ANALYZE_SECONDS": "60",
        "REPORT_SOFT_TIME_LIMIT_SECONDS": "1",
        "REPORT_TIME_LIMIT_SECONDS": "2",
        **FAST_RECOVERY,
    }
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env, beat=True
    ) as stack:
        client = stack.client()
        job_url = submit(client)
        job = wait_for_job(client, job_url, {"retrying", "failed", "dead", "succeeded"}, timeout=30)
        event = last_event(client, job_url)
        worker_log = (stack.logs / "worker.log").read_text(errors="replace")

    assert job["status"] == "retrying", stack.log_tail()
    assert "stopped renewing its lease" in event["message"]
    assert "TimeLimitExceeded" in worker_log, "the pool killed the attempt at its hard limit"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_an_attempt_that_needs_more_memory_than_a_worker_may_use_fails_with_a_clear_message(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {
        "REPORT_ENGINE": "tests.chaos.faults:MemoryHog",
        "CHAOS_HOLD_MB": "1024",
        "WORKER_MEMORY_LIMIT_MB": "512",
        "CHAOS_EXECUTION_LOG": str(tmp_path / "executions.log"),
    }
    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env) as stack:
        client = stack.client()
        job = wait_for_job(client, submit(client), {"succeeded", "failed", "dead", "retrying"}, timeout=30)

    assert (job["status"], job["attempts"]) == ("failed", 1), stack.log_tail()
    assert job["error"] == "the attempt ran out of memory: the input needs more than a worker may use"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize(("held_mb", "replaced"), [(500, True), (0, False)], ids=["grew", "stayed-small"])
def test_a_pool_process_that_grew_past_its_budget_is_replaced_after_its_task(
    tmp_path: Path, fresh_database: str, fresh_redis: str, held_mb: int, replaced: bool
) -> None:
    log = tmp_path / "executions.log"
    env = {
        "REPORT_ENGINE": "tests.chaos.faults:MemoryHog",
        "CHAOS_HOLD_MB": str(held_mb),
        "CHAOS_KEEP": "1",
        # A pool child that imported the engine and profiled a small file peaks near 150 MiB,
        # so the budget sits well above that and the leak well above the budget.
        "WORKER_MAX_MEMORY_PER_CHILD_MB": "400",
        "CHAOS_EXECUTION_LOG": str(log),
    }
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env, workers=()
    ) as stack:
        stack.start_worker("worker", concurrency=1)
        stack.wait_for_log("worker", "ready.")
        client = stack.client()
        for _ in range(2):
            assert wait_for_job(client, submit(client), {"succeeded", "failed", "dead"})["status"] == "succeeded"

    pids = [line.split()[1] for line in log.read_text().splitlines()]
    assert len(pids) == 2
    assert (pids[0] != pids[1]) is replaced, pids
