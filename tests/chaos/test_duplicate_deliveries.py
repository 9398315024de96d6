"""Scenario 7: every task message published twice. The job runs once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from celery import Celery

from tests.chaos.harness import Size, chaos_stack, executions, task_outcomes
from tests.chaos.load import accepted_ids, not_accepted, submit_reports
from tests.chaos.probe import Database, starts, transitions
from tests.chaos.services import PrivateRedis


def test_a_job_whose_every_message_arrives_twice_executes_once(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, size: Size, figures: dict[str, Any]
) -> None:
    log, db = tmp_path / "executions.log", Database(shared_database)
    env = {"CHAOS_EXECUTION_LOG": str(log), "CHAOS_ANALYZE_SECONDS": "0.1"}
    sender = Celery("chaos-duplicates", broker=private_redis.url)
    sender.conf.update(task_serializer="json", broker_connection_timeout=2)
    lock, duplicates = threading.Lock(), []

    def publish_again(job_id: str) -> None:
        # the service published attempt 1 right after commit; this is the second copy
        with lock:
            sender.send_task("reports.process", kwargs={"job_id": job_id, "attempt": 1}, queue="default")
            duplicates.append(job_id)

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        submissions = submit_reports(stack, size.duplicate_jobs, concurrency=4, on_accepted=publish_again)
        ids = accepted_ids(submissions)
        settle = db.wait_until(len(ids), timeout=180)
        outcomes = task_outcomes(stack)
    sender.close()

    trails, runs = db.events(), executions(log)
    figures.update(
        jobs=size.duplicate_jobs,
        accepted=len(ids),
        duplicates_sent=len(duplicates),
        completed_analyses=sum(runs.values()),
        jobs_analyzed_more_than_once=sum(1 for job in ids if runs[job] > 1),
        delivery_outcomes=dict(outcomes),
        seconds_to_settle=round(settle, 1),
        statuses=dict(db.statuses()),
    )

    assert not not_accepted(submissions), not_accepted(submissions)[:5]
    assert sorted(duplicates) == sorted(ids) and len(ids) == size.duplicate_jobs
    assert db.statuses() == {"succeeded": len(ids)}
    assert {runs[job] for job in ids} == {1}, {job: runs[job] for job in ids if runs[job] != 1}
    assert {len(transitions(trails[job], "running", "succeeded")) for job in ids} == {1}
    assert {len(starts(trails[job])) for job in ids} == {1}
    assert outcomes["succeeded"] == len(ids)
    assert outcomes["skipped"] >= len(ids), "every second copy must be recognised and skipped"
