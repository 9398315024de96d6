"""Controls on real processes: routing and priorities, per-owner limits across workers, fair
starts across owners."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.stack import Stack, _manage, running_stack, wait_for_job

SMALL = b"a,b\n1,2\n"


def submit(client: httpx.Client, **fields: str) -> httpx.Response:
    return client.post("/api/v1/reports/", files={"file": ("a.csv", SMALL, "text/csv")}, data=fields)


def submit_many(stack: Stack, count: int, token: str | None = None) -> list[str]:
    headers = {"Authorization": f"Token {token or stack.token}"}
    with httpx.Client(base_url=stack.base_url, headers=headers, timeout=60) as client, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: submit(client), range(count)))
    assert {a.status_code for a in answers} == {202}, {a.status_code for a in answers}
    return [a.json()["id"] for a in answers]


def wait_for_all(stack: Stack, jobs: list[str], timeout: float) -> list[dict[str, Any]]:
    with stack.client() as client:
        return [wait_for_job(client, f"/api/v1/jobs/{job}/", {"succeeded", "failed", "dead"}, timeout) for job in jobs]


def user_token(stack: Stack, name: str, *, grant: str = "") -> str:
    token = _manage(stack.env, "issue_token", name).strip().splitlines()[-1]
    if grant:
        _manage(
            stack.env,
            "shell",
            "-c",
            "from django.contrib.auth.models import Permission, User; "
            f"User.objects.get(username={name!r}).user_permissions.add(Permission.objects.get(codename={grant!r}))",
        )
    return token


def rows(dsn: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_a_flood_of_bulk_jobs_does_not_delay_a_high_priority_job_on_its_own_worker(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {
        "REPORT_ENGINE": "tests.chaos.faults:SlowAnalyzer",
        "CHAOS_ANALYZE_SECONDS": "0.5",
        "BULK_ABOVE_BYTES": "4",  # every upload of the flood is "large"
        "USER_DISPATCH_WINDOW": "1000",
    }
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env, workers=()
    ) as stack:
        stack.start_worker("bulk", queues="bulk", concurrency=1)
        stack.start_worker("high", queues="high", concurrency=1)
        stack.wait_for_log("bulk", " ready.")
        stack.wait_for_log("high", " ready.")
        flood = submit_many(stack, 40)
        time.sleep(1)  # the flood is being worked on
        urgent_user = user_token(stack, "urgent", grant="submit_high_priority")
        with httpx.Client(base_url=stack.base_url, headers={"Authorization": f"Token {urgent_user}"}) as client:
            refused = submit(stack.client(), priority="high")
            submitted_at = time.monotonic()
            accepted = submit(client, priority="high")
            job = wait_for_job(client, accepted.headers["Location"], {"succeeded", "failed", "dead"}, timeout=30)
            waited = time.monotonic() - submitted_at
        bulk_done = rows(fresh_database, "SELECT count(*) FROM job WHERE status = 'succeeded' AND queue = 'bulk'")[0][0]

    print(f"high-priority job behind a flood of {len(flood)} bulk jobs: succeeded {waited:.2f} s after submit")
    assert refused.status_code == 403, "only users with the permission may ask for high priority"
    assert (job["status"], job["queue"]) == ("succeeded", "high")
    assert waited < 5, f"the high-priority job waited {waited:.1f} s"
    assert bulk_done < len(flood), "the flood was still being worked on when it succeeded"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_an_owner_s_running_limit_holds_across_two_workers_and_every_job_finishes(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {"REPORT_ENGINE": "tests.chaos.faults:SlowAnalyzer", "CHAOS_ANALYZE_SECONDS": "0.4", "USER_MAX_RUNNING": "2"}
    with running_stack(
        tmp_path / "var",
        database_url=fresh_database,
        broker_url=fresh_redis,
        extra_env=env,
        workers=("w1", "w2"),
        beat=True,
    ) as stack:
        jobs = submit_many(stack, 12)
        with stack.client() as client:
            finished = [
                wait_for_job(client, f"/api/v1/jobs/{job}/", {"succeeded", "failed", "dead"}, 90) for job in jobs
            ]
        spans = rows(
            fresh_database,
            "SELECT started_at, finished_at, worker FROM job WHERE kind = 'report.process' ORDER BY started_at",
        )
        deferred = rows(fresh_database, "SELECT count(*) FROM job_event WHERE message LIKE 'deferred:%%'")[0][0]

    most = max(sum(1 for s, f, _ in spans if s <= start < f) for start, _, _ in spans)
    workers = {worker.split("@")[0] for _, _, worker in spans}
    print(f"12 jobs of one owner, USER_MAX_RUNNING=2, 2 workers x 2 processes: at most {most} ran at once")
    assert {job["status"] for job in finished} == {"succeeded"}
    assert most <= 2, f"{most} jobs of one owner ran at once"
    assert workers == {"w1", "w2"}, "both workers took part"
    assert deferred >= 10, "the jobs held back say so in their audit trail"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_starts_per_minute_defer_the_jobs_beyond_the_budget_and_start_them_later(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {"USER_STARTS_PER_MINUTE": "4"}
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env, beat=True
    ) as stack:
        jobs = submit_many(stack, 5)
        with stack.client() as client:
            finished = [
                wait_for_job(client, f"/api/v1/jobs/{job}/", {"succeeded", "failed", "dead"}, 60) for job in jobs
            ]
        starts = sorted(datetime.fromisoformat(str(job["started_at"])) for job in finished)

    gap = (starts[4] - starts[0]).total_seconds()
    assert {job["status"] for job in finished} == {"succeeded"}
    assert gap >= 14, f"the fifth start came {gap:.1f} s after the first; the budget refills one every 15 s"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_one_owner_s_backlog_of_a_thousand_does_not_hold_back_another_owner_s_job(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, workers=(), beat=True
    ) as stack:
        backlog = submit_many(stack, 1000)
        bob = user_token(stack, "bob")
        single = submit_many(stack, 1, token=bob)[0]
        stack.start_worker("w1")
        stack.wait_for_log("w1", " ready.")
        ready = time.monotonic()
        with httpx.Client(base_url=stack.base_url, headers={"Authorization": f"Token {bob}"}) as client:
            wait_for_job(client, f"/api/v1/jobs/{single}/", {"succeeded"}, timeout=60)
        waited = time.monotonic() - ready
        started_before = rows(
            fresh_database,
            "SELECT count(*) FROM job WHERE owner_id <> (SELECT owner_id FROM job WHERE id = %s) "
            "AND started_at < (SELECT started_at FROM job WHERE id = %s)",
            single,
            single,
        )[0][0]
        durations = rows(
            fresh_database,
            "SELECT extract(epoch FROM finished_at - started_at) FROM job WHERE status = 'succeeded' LIMIT 50",
        )

    per_job = statistics.median(float(d) for (d,) in durations)
    print(
        f"with {len(backlog)} jobs of another owner waiting, the single job succeeded {waited:.2f} s after the "
        f"worker was ready; {started_before} of the backlog started before it (median job {per_job * 1000:.0f} ms)"
    )
    assert started_before <= 8, f"{started_before} jobs of the backlog went first: that is FIFO, not fair"
    assert waited < 10
