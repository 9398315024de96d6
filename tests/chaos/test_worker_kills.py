"""Scenarios 1 and 4: workers SIGKILLed (main process and children) in the middle of work."""

from __future__ import annotations

import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.chaos.harness import Size, chaos_stack, executions, restart_worker, task_outcomes
from tests.chaos.load import accepted_ids, latency_figures, not_accepted, submit_reports
from tests.chaos.probe import TERMINAL, Database, starts, transitions
from tests.chaos.services import PrivateRedis


def test_killing_a_worker_again_and_again_loses_no_job_and_stores_each_result_once(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, size: Size, figures: dict[str, Any]
) -> None:
    seed = int(os.environ.get("CHAOS_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    log = tmp_path / "executions.log"
    db = Database(shared_database)
    # 0.8 s: each attempt starts brief and commits its start at its checkpoint after 0.5 s
    # (CANCEL_CHECK_SECONDS), so kills land in both halves: leases and taken deliveries
    env = {"CHAOS_EXECUTION_LOG": str(log), "CHAOS_ANALYZE_SECONDS": "0.8"}
    figures.update(seed=seed, jobs=size.kill_jobs)

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=1) as background:
            submitting = background.submit(submit_reports, stack, size.kill_jobs, concurrency=4)
            kills: list[dict[str, Any]] = []
            # kill at random moments spread over the run: when a random share of the jobs is done
            for share in sorted(rng.uniform(0.05, 0.7) for _ in range(size.kills)):
                while sum(db.statuses()[s] for s in TERMINAL) < share * size.kill_jobs:
                    assert time.monotonic() - started < 300, f"no progress to kill into: {db.statuses()}"
                    time.sleep(0.1)
                time.sleep(rng.uniform(0, 0.3))
                busy = {worker.split("@")[0]: n for worker, n in db.running_workers().items() if worker}
                victim = rng.choice(sorted(busy) or ["w1", "w2"])
                killed_at = time.monotonic()
                stack.stop(victim, signal.SIGKILL)
                restart_worker(stack, victim)
                kills.append(
                    {
                        "worker": victim,
                        "at_seconds": round(killed_at - started, 1),
                        "running_jobs_killed": busy.get(victim, 0),
                        "restart_seconds": round(time.monotonic() - killed_at, 1),
                    }
                )
            last_kill = time.monotonic()
            submissions = submitting.result(timeout=300)
        ids = accepted_ids(submissions)
        db.wait_until(len(ids), timeout=300)
        settled = time.monotonic()
        outcomes = task_outcomes(stack)
        log_tail = stack.log_tail(30)

    trails, results, runs = db.events(), db.results(), executions(log)
    succeeded_events = {job: len(transitions(trails.get(job, []), "running", "succeeded")) for job in ids}
    handed_on = sum(len(transitions(t, "running", "retrying")) for t in trails.values())
    redelivered = sum(1 for t in trails.values() for e in t if e.message == "delivery sent again")
    logged = {tuple(line.split()) for line in log.read_text().splitlines()}
    figures.update(
        accepted=len(ids),
        statuses=dict(db.statuses()),
        kills=kills,
        running_jobs_killed=sum(k["running_jobs_killed"] for k in kills),
        leases_handed_on=handed_on,
        redeliveries=redelivered,
        completed_analyses=sum(runs.values()),
        jobs_analyzed_more_than_once=sum(1 for n in runs.values() if n > 1),
        delivery_outcomes=dict(outcomes),
        seconds_to_settle_after_last_kill=round(settled - last_kill, 1),
        seconds_from_first_submit_to_all_succeeded=round(settled - started, 1),
        **latency_figures(submissions),
    )

    assert not not_accepted(submissions), not_accepted(submissions)[:5]
    assert len(ids) == size.kill_jobs
    assert db.job_count() == size.kill_jobs, "a job was lost or invented"
    assert db.statuses() == {"succeeded": size.kill_jobs}, log_tail
    assert set(succeeded_events.values()) == {1}, {j: n for j, n in succeeded_events.items() if n != 1}
    assert all(results[job] is not None for job in ids)
    for job in ids:
        (success,) = transitions(trails[job], "running", "succeeded")
        stored = results[job]["execution"]
        assert stored["attempt"] == success.attempt, (job, stored, success)
        assert (job, str(stored["pid"]), str(stored["attempt"])) in logged, (job, stored)
    assert len(kills) == size.kills
    assert figures["running_jobs_killed"] >= 1, "no kill interrupted a running job"


def test_a_job_whose_worker_is_killed_mid_job_runs_again_on_another_worker_within_a_minute(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, figures: dict[str, Any]
) -> None:
    db = Database(shared_database)
    env = {"REPORT_ENGINE": "tests.chaos.faults:SlowAnalyzer", "CHAOS_ANALYZE_SECONDS": "6"}

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        (job_id,) = accepted_ids(submit_reports(stack, 1))
        db.wait_until(1, ("running",), timeout=30)
        time.sleep(1.5)  # well inside the 6 s of work
        first = db.job(job_id)
        victim = first["worker"].split("@")[0]
        killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
        stack.stop(victim, signal.SIGKILL)
        while len(starts(db.events().get(job_id, []))) < 2:
            assert time.monotonic() - killed_at < 60, f"not running again 60 s after the kill\n{stack.log_tail()}"
            time.sleep(0.2)
        db.wait_until(1, timeout=60)

    trail = db.events()[job_id]
    first_start, second_start = starts(trail)
    hand_over = transitions(trail, "running", "retrying")
    recovery = (second_start.at - killed_wall).total_seconds()
    figures.update(
        killed_worker=victim,
        first_actor=first_start.actor,
        second_actor=second_start.actor,
        seconds_from_kill_to_running_again=round(recovery, 2),
        hand_over_by=[e.actor for e in hand_over],
        final_status=db.job(job_id)["status"],
        attempts=db.job(job_id)["attempts"],
    )

    assert first_start.actor.startswith(f"worker:{victim}@")
    assert second_start.actor.startswith("worker:") and not second_start.actor.startswith(f"worker:{victim}@")
    assert second_start.attempt == 2
    assert [e.actor for e in hand_over] == ["system:reconciler"]
    assert "stopped renewing its lease" in hand_over[0].message
    assert recovery < 60
    assert db.job(job_id)["status"] == "succeeded"
    assert len(transitions(trail, "running", "succeeded")) == 1


def test_brief_attempts_killed_with_their_workers_run_again_within_a_lease(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, figures: dict[str, Any]
) -> None:
    """Scenario 1b: every worker SIGKILLed while brief attempts (small reports, one transaction,
    nothing committed before their end) are in the middle of their work. Their jobs wait, still
    queued, with their deliveries taken and never acknowledged: the reconciler sends them again
    once they were taken a lease ago, long before the redelivery delay (set to 60 s here). A
    message the kill caught between Redis's BRPOP and kombu's record of it is lost instead,
    as it would be for any attempt: that one comes back after the redelivery delay."""
    jobs = 40
    log = tmp_path / "executions.log"
    db = Database(shared_database)
    env = {"CHAOS_EXECUTION_LOG": str(log), "CHAOS_ANALYZE_SECONDS": "0.3", "REDELIVERY_AFTER_SECONDS": "60"}

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        ids = accepted_ids(submit_reports(stack, jobs, concurrency=4))
        deadline = time.monotonic() + 60
        while db.brief_attempts_in_flight() < 2:
            assert time.monotonic() < deadline, f"no brief attempt in flight: {db.statuses()}"
            time.sleep(0.02)
        in_flight = db.brief_attempts_in_flight()
        killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
        for name in ("w1", "w2"):
            stack.stop(name, signal.SIGKILL)
        for name in ("w1", "w2"):
            restart_worker(stack, name)
        db.wait_until(jobs, timeout=120)
        settled = time.monotonic() - killed_at

    trails, runs = db.events(), executions(log)
    resent = {job: [e for e in trail if e.message == "delivery sent again"] for job, trail in trails.items()}
    resent = {job: events for job, events in resent.items() if events}
    figures.update(
        jobs=jobs,
        brief_attempts_in_flight_at_the_kill=in_flight,
        jobs_resent=len(resent),  # within a lease (taken deliveries) or after the delay (lost messages)
        seconds_from_kill_to_resend=sorted(round((e[0].at - killed_wall).total_seconds(), 1) for e in resent.values()),
        seconds_to_settle_after_the_kill=round(settled, 1),
        analyses=sum(runs.values()),
    )

    assert db.statuses() == {"succeeded": jobs}
    assert all(e[0].actor == "system:reconciler" for e in resent.values())
    for job in ids:
        assert len(transitions(trails[job], "running", "succeeded")) == 1
    # a lease (3 s) plus a reconcile interval (1 s) and the restart, not the 60 s redelivery delay
    taken_back = [job for job, e in resent.items() if (e[0].at - killed_wall).total_seconds() < 20]
    assert taken_back, "no interrupted brief attempt was sent again within a lease"
