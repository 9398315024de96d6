from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidTransition, PermanentError, TransientError
from domain.job import Job
from domain.job_status import ALLOWED_TRANSITIONS, JobStatus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(seconds=30)

# Every allowed move of DESIGN.md's diagram, as (from, to).
DESIGNED = {
    (JobStatus.QUEUED, JobStatus.RUNNING),
    (JobStatus.QUEUED, JobStatus.CANCELLED),
    (JobStatus.RUNNING, JobStatus.SUCCEEDED),
    (JobStatus.RUNNING, JobStatus.RETRYING),
    (JobStatus.RUNNING, JobStatus.FAILED),
    (JobStatus.RUNNING, JobStatus.DEAD),
    (JobStatus.RUNNING, JobStatus.CANCELLED),
    (JobStatus.RETRYING, JobStatus.RUNNING),
    (JobStatus.RETRYING, JobStatus.CANCELLED),
    (JobStatus.FAILED, JobStatus.QUEUED),
    (JobStatus.DEAD, JobStatus.QUEUED),
}


def new_job(max_attempts: int = 3) -> Job:
    return Job.create(
        id=uuid.uuid4(),
        kind="report.process",
        owner_id=1,
        queue="reports",
        max_attempts=max_attempts,
        now=NOW,
        actor="user:1",
    )


def job_in(status: JobStatus) -> Job:
    """A job brought to `status` through legal moves only."""
    job = new_job()
    if status is JobStatus.QUEUED:
        return job
    job.start(now=NOW, worker="w1", lease_seconds=30)
    if status is JobStatus.RUNNING:
        return job
    if status is JobStatus.SUCCEEDED:
        job.succeed(now=NOW, actor="worker:w1")
    elif status is JobStatus.RETRYING:
        job.retry(TransientError("flaky"), now=NOW, retry_at=LATER, actor="worker:w1")
    elif status is JobStatus.FAILED:
        job.fail(PermanentError("bad file"), now=NOW, actor="worker:w1")
    elif status is JobStatus.DEAD:
        job.give_up(TransientError("flaky"), now=NOW, actor="worker:w1")
    elif status is JobStatus.CANCELLED:
        job.cancel(now=NOW, actor="user:1")
    return job


MOVES = {
    JobStatus.RUNNING: lambda job: job.start(now=NOW, worker="w2", lease_seconds=30),
    JobStatus.SUCCEEDED: lambda job: job.succeed(now=NOW, actor="worker:w1"),
    JobStatus.RETRYING: lambda job: job.retry(TransientError("x"), now=NOW, retry_at=LATER, actor="worker:w1"),
    JobStatus.FAILED: lambda job: job.fail(PermanentError("x"), now=NOW, actor="worker:w1"),
    JobStatus.DEAD: lambda job: job.give_up(TransientError("x"), now=NOW, actor="worker:w1"),
    JobStatus.CANCELLED: lambda job: job.cancel(now=NOW, actor="user:1"),
    JobStatus.QUEUED: lambda job: job.replay(now=NOW, actor="user:1", budget=3),
}


def test_the_transition_table_is_exactly_the_designed_diagram() -> None:
    table = {(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets}

    assert table == DESIGNED


@pytest.mark.parametrize(("source", "target"), sorted(DESIGNED))
def test_every_designed_transition_is_allowed_and_audited(source: JobStatus, target: JobStatus) -> None:
    job = job_in(source)
    events_before = job.last_event_seq

    MOVES[target](job)

    assert job.status is target
    assert job.new_events[-1].from_status is source
    assert job.new_events[-1].to_status is target
    assert job.last_event_seq == events_before + 1


REFUSED = sorted(set(itertools.product(JobStatus, JobStatus)) - DESIGNED)


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_transition_is_refused_and_changes_nothing(source: JobStatus, target: JobStatus) -> None:
    job = job_in(source)
    events_before = list(job.new_events)

    with pytest.raises(InvalidTransition):
        MOVES[target](job)

    assert job.status is source
    assert job.new_events == events_before


def test_a_new_job_is_queued_with_an_accepted_event() -> None:
    job = new_job()

    assert job.status is JobStatus.QUEUED
    assert job.attempts == 0
    assert [(e.seq, e.from_status, e.to_status, e.actor) for e in job.new_events] == [
        (1, None, JobStatus.QUEUED, "user:1")
    ]


def test_starting_counts_the_attempt_and_names_the_worker() -> None:
    job = new_job()

    job.start(now=LATER, worker="host-a", lease_seconds=30)

    assert job.attempts == 1
    assert job.started_at == LATER
    assert job.new_events[-1].attempt == 1
    assert job.new_events[-1].actor == "worker:host-a"


def test_a_transient_failure_with_attempts_left_retries_later() -> None:
    job = job_in(JobStatus.RUNNING)

    outcome = job.fail_attempt(TransientError("timeout"), now=NOW, retry_at=LATER, actor="worker:w1")

    assert outcome is JobStatus.RETRYING
    assert job.next_attempt_at == LATER
    assert job.error == "timeout"


def test_a_transient_failure_on_the_last_attempt_goes_dead() -> None:
    job = new_job(max_attempts=1)
    job.start(now=NOW, worker="w1", lease_seconds=30)

    outcome = job.fail_attempt(TransientError("timeout"), now=NOW, retry_at=LATER, actor="worker:w1")

    assert outcome is JobStatus.DEAD
    assert job.finished_at == NOW


def test_a_permanent_failure_fails_at_once_even_with_attempts_left() -> None:
    job = job_in(JobStatus.RUNNING)

    outcome = job.fail_attempt(PermanentError("not a CSV"), now=NOW, retry_at=LATER, actor="worker:w1")

    assert outcome is JobStatus.FAILED
    assert job.attempts_left == 2


def test_retrying_without_attempts_left_is_refused() -> None:
    job = new_job(max_attempts=1)
    job.start(now=NOW, worker="w1", lease_seconds=30)

    with pytest.raises(InvalidTransition):
        job.retry(TransientError("x"), now=NOW, retry_at=LATER, actor="worker:w1")


def test_a_replay_gives_a_fresh_budget_without_reusing_attempt_numbers() -> None:
    job = job_in(JobStatus.DEAD)

    job.replay(now=LATER, actor="user:1", budget=3)
    job.dispatch(now=LATER)

    assert job.status is JobStatus.QUEUED
    assert job.attempts == 1
    assert job.max_attempts == 4
    assert job.accepts_delivery(2)
    assert not job.accepts_delivery(1)


def test_only_the_next_attempt_of_a_waiting_job_is_accepted_once_it_was_dispatched() -> None:
    queued, running, succeeded = job_in(JobStatus.QUEUED), job_in(JobStatus.RUNNING), job_in(JobStatus.SUCCEEDED)
    held_back = queued.accepts_delivery(1)
    queued.dispatch(now=NOW)

    assert not held_back, "a job its owner's limits hold back does not start on a stray message"
    assert queued.accepts_delivery(1)
    assert not queued.accepts_delivery(2)
    assert not running.accepts_delivery(1)
    assert not running.accepts_delivery(2)
    assert not succeeded.accepts_delivery(2)


@pytest.mark.parametrize("status", list(JobStatus))
def test_terminal_statuses_are_succeeded_failed_dead_and_cancelled(status: JobStatus) -> None:
    assert status.is_terminal == (
        status in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED}
    )


def test_a_start_takes_a_lease_that_a_later_clock_sees_expired() -> None:
    job = new_job()

    job.start(now=NOW, worker="w1", lease_seconds=30)

    assert job.lease_expires_at == NOW + timedelta(seconds=30)
    assert not job.is_lease_expired(NOW + timedelta(seconds=29))
    assert job.is_lease_expired(NOW + timedelta(seconds=30))


def test_an_expired_lease_is_a_transient_failure_of_the_attempt() -> None:
    job = job_in(JobStatus.RUNNING)

    outcome = job.expire_lease(now=NOW + timedelta(hours=1), retry_at=LATER, actor="system:reconciler")

    assert outcome is JobStatus.RETRYING
    assert "stopped renewing its lease" in job.error


def test_a_live_lease_cannot_be_expired() -> None:
    job = job_in(JobStatus.RUNNING)

    with pytest.raises(InvalidTransition):
        job.expire_lease(now=NOW, retry_at=LATER, actor="system:reconciler")


def test_a_cancel_request_on_a_running_job_is_recorded_not_applied() -> None:
    job = job_in(JobStatus.RUNNING)

    job.request_cancel(now=NOW, actor="user:1")
    job.request_cancel(now=NOW, actor="user:1")

    assert (job.status, job.cancel_requested) == (JobStatus.RUNNING, True)
    assert [e.message for e in job.new_events].count("cancel requested") == 1


def test_a_failed_attempt_of_a_job_asked_to_cancel_ends_cancelled() -> None:
    job = job_in(JobStatus.RUNNING)
    job.request_cancel(now=NOW, actor="user:1")

    outcome = job.fail_attempt(TransientError("x"), now=NOW, retry_at=LATER, actor="worker:w1")

    assert outcome is JobStatus.CANCELLED


def test_redelivery_is_recorded_for_waiting_jobs_only() -> None:
    queued, running = job_in(JobStatus.QUEUED), job_in(JobStatus.RUNNING)

    queued.redeliver(now=LATER, actor="system:reconciler", next_check_at=LATER + timedelta(minutes=4))

    assert (queued.redeliveries, queued.redelivery_due_at) == (1, LATER + timedelta(minutes=4))
    assert queued.next_attempt_at == NOW, "still the time the attempt became due"
    assert queued.new_events[-1].message == "delivery sent again"
    with pytest.raises(InvalidTransition):
        running.redeliver(now=LATER, actor="system:reconciler", next_check_at=LATER)


def test_a_fanned_out_parent_waits_for_its_children_without_a_lease() -> None:
    job = job_in(JobStatus.RUNNING)

    job.fan_out(3, now=NOW, actor="worker:w1")

    assert job.is_fanned_out
    assert job.lease_expires_at is None
    assert not job.is_lease_expired(NOW + timedelta(days=1)), "the reconciler leaves it to its children"
    assert job.new_events[-1].message == "split into 3 chunks"


def test_the_last_child_to_finish_is_the_one_that_starts_the_fan_in() -> None:
    job = job_in(JobStatus.RUNNING)
    job.fan_out(3, now=NOW, actor="worker:w1")

    lasts = [job.child_succeeded(now=NOW) for _ in range(3)]

    assert lasts == [False, False, True]
    assert job.progress == pytest.approx(0.95)
    with pytest.raises(InvalidTransition):
        job.child_succeeded(now=NOW)


def test_cancelling_a_fanned_out_parent_cancels_it_at_once() -> None:
    job = job_in(JobStatus.RUNNING)
    job.fan_out(2, now=NOW, actor="worker:w1")

    job.request_cancel(now=NOW, actor="user:1")

    assert job.status is JobStatus.CANCELLED


def test_a_handed_back_attempt_waits_again_at_once_and_does_not_use_up_the_budget() -> None:
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=1, queue="q", max_attempts=2, now=NOW, actor="u")
    job.start(now=NOW, worker="w", lease_seconds=30)
    later = NOW + timedelta(seconds=5)

    job.hand_back(now=later, actor="worker:w", reason="the worker is stopping")
    job.dispatch(now=later)

    assert (job.status, job.attempts, job.max_attempts, job.attempts_left) == (JobStatus.RETRYING, 1, 3, 2)
    assert (job.next_attempt_at, job.lease_expires_at) == (later, None)
    assert job.accepts_delivery(2) and not job.accepts_delivery(1)


def test_a_job_has_just_ended_only_until_its_terminal_transition_is_saved() -> None:
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=1, queue="q", max_attempts=2, now=NOW, actor="u")
    job.start(now=NOW, worker="w", lease_seconds=30)
    assert not job.has_just_ended

    job.succeed(now=NOW, actor="worker:w")
    ended_before_save = job.has_just_ended
    job.new_events = []

    assert ended_before_save and not job.has_just_ended


def test_a_job_is_dispatched_once_per_attempt_and_only_when_due() -> None:
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=1, queue="q", max_attempts=2, now=NOW, actor="u")
    with pytest.raises(InvalidTransition):
        job.dispatch(now=NOW - timedelta(seconds=1))

    job.dispatch(now=NOW)

    with pytest.raises(InvalidTransition):
        job.dispatch(now=NOW)
    job.start(now=NOW, worker="w", lease_seconds=30)
    assert job.dispatched_at is None


def test_a_deferral_is_an_event_that_leaves_the_job_waiting() -> None:
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=1, queue="q", max_attempts=2, now=NOW, actor="u")

    job.defer(now=NOW, actor="system", reason="2 of its jobs run (limit 2)")

    assert job.status is JobStatus.QUEUED
    assert job.new_events[-1].message == "deferred: 2 of its jobs run (limit 2)"
