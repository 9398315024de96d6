from __future__ import annotations

from application.process_report import Outcome
from domain.errors import InvalidReportFile, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


def test_processing_stores_the_result_and_succeeds_with_an_audit_trail(world: World) -> None:
    submitted = world.submit(b"a,b\n1,2\n3,4\n")

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.uow.state.jobs[submitted.job.id]
    assert outcome.outcome is Outcome.SUCCEEDED
    assert job.status is JobStatus.SUCCEEDED
    assert job.progress == 1.0
    assert world.uow.state.reports[submitted.report_id].result == {"summary": {"rows": 2, "columns": 2}}
    assert [(e.from_status, e.to_status, e.attempt) for e in world.uow.state.events[job.id]] == [
        (None, JobStatus.QUEUED, 0),
        (JobStatus.QUEUED, JobStatus.RUNNING, 1),
        (JobStatus.RUNNING, JobStatus.SUCCEEDED, 1),
    ]


def test_a_duplicate_delivery_does_not_run_the_job_twice(world: World) -> None:
    submitted = world.submit()
    world.process(submitted.job.id, attempt=1)

    again = world.process(submitted.job.id, attempt=1)

    assert again.outcome is Outcome.SKIPPED
    assert world.analyzer.calls == 1
    assert len(world.uow.state.events[submitted.job.id]) == 3


def test_a_delivery_for_an_attempt_that_is_not_current_is_a_no_op(world: World) -> None:
    submitted = world.submit()

    outcome = world.process(submitted.job.id, attempt=2)

    assert outcome.outcome is Outcome.SKIPPED
    assert world.uow.state.jobs[submitted.job.id].status is JobStatus.QUEUED
    assert world.analyzer.calls == 0


def test_a_delivery_for_an_unknown_job_is_a_no_op(world: World) -> None:
    import uuid

    outcome = world.process(uuid.uuid4(), attempt=1)

    assert outcome.outcome is Outcome.NOT_FOUND


def test_a_transient_error_schedules_the_next_attempt_with_backoff(world: World) -> None:
    submitted = world.submit()
    world.fail_next(TransientError("storage timeout"))

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.uow.state.jobs[submitted.job.id]
    assert outcome.outcome is Outcome.RETRY_SCHEDULED
    assert job.status is JobStatus.RETRYING
    assert job.error == "storage timeout"
    retry = world.queue.deliveries[-1]
    assert (retry.attempt, retry.delay_seconds) == (2, 2.0)


def test_retries_wait_longer_each_time_then_the_job_goes_dead(world: World) -> None:
    submitted = world.submit()
    world.fail_next(TransientError("a"), TransientError("b"), TransientError("c"))

    outcomes = [world.process(submitted.job.id, attempt=n).outcome for n in (1, 2, 3)]

    assert outcomes == [Outcome.RETRY_SCHEDULED, Outcome.RETRY_SCHEDULED, Outcome.DEAD]
    assert [d.delay_seconds for d in world.queue.deliveries[1:]] == [2.0, 4.0]
    job = world.uow.state.jobs[submitted.job.id]
    assert (job.status, job.attempts, job.error) == (JobStatus.DEAD, 3, "c")


def test_an_unexpected_exception_is_retried_like_a_transient_error(world: World) -> None:
    submitted = world.submit()
    world.fail_next(KeyError("surprise"))

    outcome = world.process(submitted.job.id, attempt=1)

    assert outcome.outcome is Outcome.RETRY_SCHEDULED
    assert "KeyError" in world.uow.state.jobs[submitted.job.id].error


def test_an_invalid_file_fails_at_once_without_retrying(world: World) -> None:
    submitted = world.submit()
    world.fail_next(InvalidReportFile("the file is not valid UTF-8 text"))

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.uow.state.jobs[submitted.job.id]
    assert outcome.outcome is Outcome.FAILED
    assert (job.status, job.error) == (JobStatus.FAILED, "the file is not valid UTF-8 text")
    assert len(world.queue.deliveries) == 1


def test_a_job_cancelled_while_its_attempt_ran_stays_cancelled(world: World) -> None:
    submitted = world.submit()
    original = world.analyzer.analyze

    def cancel_meanwhile(content):  # type: ignore[no-untyped-def]
        with world.uow as uow:
            job: Job | None = uow.jobs.get(submitted.job.id)
            assert job is not None
            job.cancel(now=world.clock.now(), actor="user:1")
            uow.jobs.save(job)
            uow.commit()
        return original(content)

    world.analyzer.analyze = cancel_meanwhile  # type: ignore[method-assign]

    outcome = world.process(submitted.job.id, attempt=1)

    assert outcome.outcome is Outcome.SUPERSEDED
    assert world.uow.state.jobs[submitted.job.id].status is JobStatus.CANCELLED
    assert world.uow.state.reports[submitted.report_id].result is None
