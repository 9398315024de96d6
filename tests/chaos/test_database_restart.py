"""Scenario 6: the PostgreSQL server (a private cluster) restarted in the middle of a run: shut
down fast (every connection cut, as in a failover), or crashed (`immediate`: what was committed
without waiting for the disk, such as an attempt's start, may be lost, and is recovered)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.harness import Size, chaos_stack, executions, log_count, task_outcomes
from tests.chaos.load import accepted_ids, latency_figures, not_accepted, submit_reports
from tests.chaos.probe import TERMINAL, Database, transitions
from tests.chaos.services import PrivatePostgres, PrivateRedis

DOWN_SECONDS = 5.0


@pytest.mark.parametrize("stop_mode", ["fast", "immediate"])
def test_a_postgresql_restart_mid_run_loses_no_job_and_the_workers_recover_by_themselves(
    stop_mode: str,
    tmp_path: Path,
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
    size: Size,
    figures: dict[str, Any],
) -> None:
    database_url = private_postgres.create_database("reportflow")
    log, db = tmp_path / "executions.log", Database(database_url)
    env = {"CHAOS_EXECUTION_LOG": str(log), "CHAOS_ANALYZE_SECONDS": "0.2"}
    before, after = size.restart_jobs // 2, size.restart_jobs - size.restart_jobs // 2

    with chaos_stack(tmp_path / "var", database_url=database_url, broker_url=private_redis.url, env=env) as stack:
        processes = dict(stack.processes)
        first = submit_reports(stack, before, concurrency=4)
        deadline = time.monotonic() + 60
        while sum(db.statuses()[s] for s in TERMINAL) < before // 4:
            assert time.monotonic() < deadline, db.statuses()
            time.sleep(0.1)
        statuses_at_stop = dict(db.statuses())
        stopped_at = time.monotonic()
        private_postgres.stop(stop_mode)
        time.sleep(DOWN_SECONDS)
        private_postgres.start()
        down = time.monotonic() - stopped_at
        second = submit_reports(stack, after, concurrency=4)
        ids = accepted_ids(first) + accepted_ids(second)
        recovery = db.wait_until(len(ids), timeout=180)
        settled = time.monotonic() - stopped_at
        still_running = {name: p.poll() is None for name, p in processes.items()}
        same_processes = stack.processes == processes
        outcomes = task_outcomes(stack)
        database_errors = log_count(stack, "OperationalError", "w[0-9]*.log")
        log_tail = stack.log_tail(30)

    trails, runs = db.events(), executions(log)
    figures.update(
        stop_mode=stop_mode,
        jobs=size.restart_jobs,
        accepted=len(ids),
        statuses_when_stopped=statuses_at_stop,
        database_down_seconds=round(down, 1),
        seconds_from_stop_to_all_succeeded=round(settled, 1),
        seconds_waited_after_second_batch=round(recovery, 1),
        statuses=dict(db.statuses()),
        leases_handed_on=sum(len(transitions(t, "running", "retrying")) for t in trails.values()),
        redeliveries=sum(1 for t in trails.values() for e in t if e.message == "delivery sent again"),
        completed_analyses=sum(runs.values()),
        worker_log_operational_errors=database_errors,
        delivery_outcomes=dict(outcomes),
        processes_alive=still_running,
        **latency_figures(first + second),
    )

    assert not not_accepted(first + second), not_accepted(first + second)[:5]
    assert len(ids) == size.restart_jobs
    assert all(still_running.values()) and same_processes, f"a process died: {still_running}"
    assert db.job_count() == len(ids), "a job was lost or invented"
    assert db.statuses() == {"succeeded": len(ids)}, log_tail
    assert {len(transitions(trails[job], "running", "succeeded")) for job in ids} == {1}
    assert all(runs[job] >= 1 for job in ids)
