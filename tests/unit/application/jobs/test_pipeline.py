"""The attempt pipeline: claim and load in one transaction, work, record; hand back on stop."""

from __future__ import annotations

import logging
import time

import pytest

from application.jobs.pipeline import Outcome
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


def test_a_job_whose_report_is_gone_fails_at_once_in_the_claim_transaction(world: World) -> None:
    submitted = world.submit()
    del world.uow.state.reports[submitted.report_id]

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.FAILED
    assert (job.status, job.attempts, job.lease_expires_at) == (JobStatus.FAILED, 1, None)
    assert job.error == f"the report of report.process job {job.id} no longer exists"
    assert world.analyzer.calls == 0
    assert [e.to_status for e in world.uow.state.events[job.id]] == [
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.FAILED,
    ]


def test_a_stopping_worker_hands_its_job_back_without_using_up_an_attempt(world: World) -> None:
    submitted = world.submit()
    world.stopping = "the worker is stopping (SIGTERM)"

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.HANDED_BACK
    assert (job.status, job.attempts, job.max_attempts, job.lease_expires_at) == (JobStatus.RETRYING, 1, 4, None)
    assert job.next_attempt_at == world.clock.now(), "due at once, not after a backoff"
    assert world.uow.state.events[job.id][-1].message == "handed back: the worker is stopping (SIGTERM)"
    assert world.queue.deliveries[-1].attempt == 2


def test_a_handed_back_job_runs_again_on_another_worker(world: World) -> None:
    submitted = world.submit()
    world.stopping = "the worker is stopping"
    world.process(submitted.job.id, attempt=1)
    world.stopping = ""

    outcome = world.process(submitted.job.id, attempt=2, worker="w2")

    assert outcome.outcome is Outcome.SUCCEEDED
    assert world.result_of(submitted.report_id) is not None


def test_a_stopping_worker_cancels_a_job_whose_cancel_was_requested(world: World) -> None:
    submitted = world.submit()
    world.analyzer.during = lambda: world.cancel(submitted.job.id)
    world.stopping = "the worker is stopping"

    outcome = world.process(submitted.job.id, attempt=1)

    assert outcome.outcome is Outcome.CANCELLED
    assert world.job(submitted.job.id).status is JobStatus.CANCELLED


class SoftTimeLimit(Exception):
    """Stands for what the execution side raises at an attempt's soft time limit."""


def test_an_attempt_past_its_soft_time_limit_ends_as_a_transient_error(world: World) -> None:
    world.time_limit_errors = (SoftTimeLimit,)
    submitted = world.submit()
    world.fail_next(SoftTimeLimit())

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.RETRY_SCHEDULED
    assert job.error == "the attempt ran past its time limit (SoftTimeLimit)"


def test_a_job_of_a_kind_this_worker_does_not_know_is_left_waiting(world: World) -> None:
    submitted = world.submit()
    world.uow.state.jobs[submitted.job.id].kind = "report.from-the-future"

    outcome = world.process(submitted.job.id, attempt=1)

    assert outcome.outcome is Outcome.SKIPPED
    assert "report.from-the-future" in outcome.detail
    assert world.job(submitted.job.id).status is JobStatus.QUEUED


def test_an_attempt_that_runs_out_of_memory_fails_for_good(world: World) -> None:
    submitted = world.submit()
    world.fail_next(MemoryError())

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.FAILED
    assert job.error.startswith("the attempt ran out of memory")


def test_a_failed_attempt_s_traceback_goes_to_the_worker_s_log(world: World, caplog: pytest.LogCaptureFixture) -> None:
    submitted = world.submit()
    world.fail_next(KeyError("surprise"))

    with caplog.at_level(logging.WARNING, logger="application.jobs.pipeline"):
        world.process(submitted.job.id, attempt=1)

    assert "Traceback" in caplog.text and "KeyError: 'surprise'" in caplog.text


def test_an_attempt_reports_how_long_its_claim_work_and_record_took(world: World) -> None:
    submitted = world.submit()
    world.analyzer.during = lambda: time.sleep(0.05)

    outcome = world.process(submitted.job.id, attempt=1)
    again = world.process(submitted.job.id, attempt=1)  # a duplicate: it ends in the claim

    assert outcome.outcome is Outcome.SUCCEEDED
    assert outcome.work_seconds >= 0.05
    assert 0 < outcome.claim_seconds < outcome.work_seconds and 0 < outcome.record_seconds < outcome.work_seconds
    assert again.outcome is Outcome.SKIPPED
    assert again.claim_seconds > 0 and again.work_seconds == again.record_seconds == 0


def test_only_a_start_commits_without_waiting_for_the_disk(world: World) -> None:
    started = world.submit()
    gone = world.submit()
    del world.uow.state.reports[gone.report_id]
    relaxed_before = world.uow.relaxed_commits

    world.process(started.job.id, attempt=1)
    after_a_whole_attempt = world.uow.relaxed_commits - relaxed_before
    world.process(gone.job.id, attempt=1)  # its claim ends the job: that must be durable

    assert world.job(started.job.id).status is JobStatus.SUCCEEDED
    assert after_a_whole_attempt == 1  # the start; the record waits for the disk
    assert world.uow.relaxed_commits - relaxed_before == 1
