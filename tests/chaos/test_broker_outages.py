"""Scenarios 2, 3 and 5: Redis stopped, hung, and restarted empty. The database is the record,
so submitting keeps working and every accepted job runs once Redis is back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.chaos.harness import Size, chaos_stack, executions, task_outcomes
from tests.chaos.load import accepted_ids, latency_figures, not_accepted, submit_reports
from tests.chaos.probe import Database, transitions
from tests.chaos.services import PrivateRedis
from tests.e2e.stack import Stack

OUTAGE_SECONDS = 20.0
MAX_REQUEST_SECONDS = 2.0


def _submit_through_outage(stack: Stack, count: int, outage_began: float) -> list[Any]:
    """Spread the uploads over the outage, then wait out the rest of it."""
    submissions = submit_reports(stack, count, concurrency=4, spread_seconds=OUTAGE_SECONDS - 3)
    time.sleep(max(0.0, outage_began + OUTAGE_SECONDS - time.monotonic()))
    return submissions


def _assert_each_job_succeeded_once(db: Database, ids: list[str], log: Path) -> None:
    trails, runs = db.events(), executions(log)
    assert db.job_count() == len(ids), "a job was lost or invented"
    assert db.statuses() == {"succeeded": len(ids)}
    assert {len(transitions(trails[job], "running", "succeeded")) for job in ids} == {1}
    assert {runs[job] for job in ids} == {1}, {job: runs[job] for job in ids if runs[job] != 1}


def _publish_figures(db: Database) -> dict[str, int]:
    failures, unpublished = db.rows(
        "SELECT coalesce(sum(publish_failures), 0), count(*) FILTER (WHERE published_at IS NULL) FROM outbox"
    )[0]
    return {"outbox_publish_failures": int(failures), "outbox_unpublished_at_end": int(unpublished)}


def test_jobs_submitted_while_redis_is_stopped_are_accepted_and_all_succeed_after_it_returns(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, size: Size, figures: dict[str, Any]
) -> None:
    log, db = tmp_path / "executions.log", Database(shared_database)
    env = {"CHAOS_EXECUTION_LOG": str(log)}

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        private_redis.stop()
        outage_began = time.monotonic()
        submissions = _submit_through_outage(stack, size.outage_jobs, outage_began)
        waiting_during_outage = dict(db.statuses())
        private_redis.start()
        outage = time.monotonic() - outage_began
        ids = accepted_ids(submissions)
        recovery = db.wait_until(len(ids), timeout=120)
        outcomes = task_outcomes(stack)

    figures.update(
        jobs=size.outage_jobs,
        accepted=len(ids),
        redis_down_seconds=round(outage, 1),
        statuses_at_end_of_outage=waiting_during_outage,
        seconds_from_redis_back_to_all_succeeded=round(recovery, 1),
        statuses=dict(db.statuses()),
        delivery_outcomes=dict(outcomes),
        **_publish_figures(db),
        **latency_figures(submissions),
    )

    assert not not_accepted(submissions), not_accepted(submissions)[:5]
    assert len(ids) == size.outage_jobs
    assert waiting_during_outage == {"queued": size.outage_jobs}, "something ran without a broker?"
    _assert_each_job_succeeded_once(db, ids, log)


def test_while_redis_hangs_no_request_takes_over_two_seconds_and_every_job_succeeds_after_it_resumes(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, size: Size, figures: dict[str, Any]
) -> None:
    log, db = tmp_path / "executions.log", Database(shared_database)
    env = {"CHAOS_EXECUTION_LOG": str(log)}

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        private_redis.pause()
        outage_began = time.monotonic()
        try:
            submissions = _submit_through_outage(stack, size.hang_jobs, outage_began)
        finally:
            private_redis.resume()
        outage = time.monotonic() - outage_began
        ids = accepted_ids(submissions)
        recovery = db.wait_until(len(ids), timeout=120)
        outcomes = task_outcomes(stack)

    slow = [(s.index, round(s.seconds, 2)) for s in submissions if s.seconds > MAX_REQUEST_SECONDS]
    figures.update(
        jobs=size.hang_jobs,
        accepted=len(ids),
        redis_hung_seconds=round(outage, 1),
        requests_over_2s=len(slow),
        seconds_from_sigcont_to_all_succeeded=round(recovery, 1),
        statuses=dict(db.statuses()),
        delivery_outcomes=dict(outcomes),
        **_publish_figures(db),
        **latency_figures(submissions),
    )

    assert not slow, f"requests slower than {MAX_REQUEST_SECONDS}s (index, seconds): {slow}"
    assert not not_accepted(submissions), not_accepted(submissions)[:5]
    assert len(ids) == size.hang_jobs
    _assert_each_job_succeeded_once(db, ids, log)


def test_jobs_whose_messages_died_with_a_redis_restart_are_delivered_again_by_the_reconciler(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, size: Size, figures: dict[str, Any]
) -> None:
    log, db = tmp_path / "executions.log", Database(shared_database)
    # every job dispatched at once, so every message sits in Redis when it restarts (by default
    # only a few per owner wait in the broker; the rest wait in the database, safe from this)
    env = {"CHAOS_EXECUTION_LOG": str(log), "USER_DISPATCH_WINDOW": "100000"}

    with chaos_stack(
        tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env, workers=()
    ) as stack:
        submissions = submit_reports(stack, size.outage_jobs, concurrency=4)
        ids = accepted_ids(submissions)
        deadline = time.monotonic() + 30
        while db.rows("SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]:
            assert time.monotonic() < deadline, "the outbox was not published to the running Redis"
            time.sleep(0.2)
        queued_in_redis = int(private_redis.client().llen("default"))
        private_redis.restart()
        left_in_redis = int(private_redis.client().llen("default"))
        worker_started = time.monotonic()
        stack.start_worker("w1")
        stack.wait_for_log("w1", " ready.", timeout=60)
        recovery = db.wait_until(len(ids), timeout=120)
        total = time.monotonic() - worker_started
        outcomes = task_outcomes(stack)

    trails = db.events()
    redelivered = {job for job in ids if any(e.message == "delivery sent again" for e in trails[job])}
    figures.update(
        jobs=size.outage_jobs,
        accepted=len(ids),
        messages_in_redis_before_restart=queued_in_redis,
        messages_in_redis_after_restart=left_in_redis,
        jobs_redelivered_by_reconciler=len(redelivered),
        seconds_from_worker_start_to_all_succeeded=round(total, 1),
        seconds_from_worker_ready_to_all_succeeded=round(recovery, 1),
        statuses=dict(db.statuses()),
        delivery_outcomes=dict(outcomes),
    )

    assert not not_accepted(submissions), not_accepted(submissions)[:5]
    assert len(ids) == size.outage_jobs
    assert queued_in_redis >= size.outage_jobs, "the messages were not in Redis before the restart"
    assert left_in_redis == 0
    assert redelivered == set(ids)
    _assert_each_job_succeeded_once(db, ids, log)
