from __future__ import annotations

import uuid
from datetime import timedelta

from application.jobs.pipeline import Outcome
from domain.errors import InvalidReportFile, TransientError
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


def test_processing_stores_the_result_and_succeeds_with_an_audit_trail(world: World) -> None:
    submitted = world.submit(b"a,b\n1,2\n3,4\n")

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.SUCCEEDED
    assert (job.status, job.progress, job.lease_expires_at) == (JobStatus.SUCCEEDED, 1.0, None)
    assert world.result_of(submitted.report_id) == {"summary": {"rows": 2, "columns": 2}, "schema": None}
    documents = world.uow.state.reports[submitted.report_id].output.documents
    assert world.document(submitted.report_id, "report.html") == b"<p>2 rows</p>"
    assert world.document(submitted.report_id, "columns.csv") == b"columns\r\n2\r\n"
    assert sorted(documents) == ["columns.csv", "report.html", "result.json", "violations.csv"]
    assert len(world.blobs.blobs) == 2  # the upload, and one blob the four documents share
    assert [(e.from_status, e.to_status, e.attempt) for e in world.uow.state.events[job.id]] == [
        (None, JobStatus.QUEUED, 0),
        (JobStatus.QUEUED, JobStatus.RUNNING, 1),
        (JobStatus.RUNNING, JobStatus.SUCCEEDED, 1),
    ]


def test_a_running_attempt_holds_a_lease_renewed_at_checkpoints(world: World) -> None:
    submitted = world.submit()
    seen = []
    world.analyzer.during = lambda: world.clock.advance(world.settings.lease_seconds * 2 / 3)
    world.analyzer.after_checkpoint = lambda: seen.append(
        (world.job(submitted.job.id).lease_expires_at, world.clock.now())
    )

    world.process(submitted.job.id, attempt=1)

    lease_until, now = seen[0]
    assert lease_until == now + timedelta(seconds=world.settings.lease_seconds)


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
    assert world.job(submitted.job.id).status is JobStatus.QUEUED
    assert world.analyzer.calls == 0


def test_a_delivery_for_an_unknown_job_is_a_no_op(world: World) -> None:
    outcome = world.process(uuid.uuid4(), attempt=1)

    assert outcome.outcome is Outcome.NOT_FOUND


def test_a_transient_error_schedules_the_next_attempt_in_the_outbox_after_a_backoff(world: World) -> None:
    submitted = world.submit()
    world.fail_next(TransientError("storage timeout"))

    outcome = world.process(submitted.job.id, attempt=1)
    published_at_once = len(world.queue.deliveries)
    world.clock.advance(1.9)
    early = world.relay().published
    world.clock.advance(0.2)
    due = world.relay().published

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.RETRY_SCHEDULED
    assert (job.status, job.error) == (JobStatus.RETRYING, "storage timeout")
    assert "TransientError" in job.error_detail, "the traceback is kept"
    assert (published_at_once, early, due) == (1, 0, 1)
    assert world.queue.deliveries[-1].attempt == 2


def test_retries_wait_longer_each_time_then_the_job_goes_dead_with_its_last_error(world: World) -> None:
    submitted = world.submit()
    world.fail_next(TransientError("a"), TransientError("b"), TransientError("c"))

    outcomes, waits = [], []
    for attempt in (1, 2, 3):
        outcomes.append(world.process(submitted.job.id, attempt=attempt).outcome)
        job = world.job(submitted.job.id)
        if job.next_attempt_at:
            waits.append((job.next_attempt_at - world.clock.now()).total_seconds())
            world.clock.advance(waits[-1])

    assert outcomes == [Outcome.RETRY_SCHEDULED, Outcome.RETRY_SCHEDULED, Outcome.DEAD]
    assert waits == [2.0, 4.0]
    job = world.job(submitted.job.id)
    assert (job.status, job.attempts, job.error) == (JobStatus.DEAD, 3, "c")


def test_an_unexpected_exception_is_retried_like_a_transient_error(world: World) -> None:
    submitted = world.submit()
    world.fail_next(KeyError("surprise"))

    outcome = world.process(submitted.job.id, attempt=1)

    assert outcome.outcome is Outcome.RETRY_SCHEDULED
    assert "KeyError" in world.job(submitted.job.id).error


def test_an_invalid_file_fails_at_once_without_retrying(world: World) -> None:
    submitted = world.submit()
    world.fail_next(InvalidReportFile("the file is not valid UTF-8 text"))

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.FAILED
    assert (job.status, job.error) == (JobStatus.FAILED, "the file is not valid UTF-8 text")
    assert world.uow.state.outbox[max(world.uow.state.outbox)].entry.delivery.attempt == 1


def test_a_running_job_cancelled_meanwhile_stops_at_its_next_checkpoint(world: World) -> None:
    submitted = world.submit()
    world.analyzer.during = lambda: world.cancel(submitted.job.id)

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.CANCELLED
    assert job.status is JobStatus.CANCELLED
    assert world.uow.state.reports[submitted.report_id].output is None
    assert [e.message for e in world.uow.state.events[job.id]][-2:] == [
        "cancel requested",
        "cancelled as requested; the attempt ended with: attempt aborted: cancel requested",
    ]


def test_an_attempt_whose_lease_was_handed_on_writes_nothing(world: World) -> None:
    submitted = world.submit()

    def lease_runs_out() -> None:
        world.clock.advance(world.settings.lease_seconds + 1)
        world.reconcile()

    world.analyzer.during = lease_runs_out

    outcome = world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.SUPERSEDED
    assert job.status is JobStatus.RETRYING
    assert world.uow.state.reports[submitted.report_id].output is None
