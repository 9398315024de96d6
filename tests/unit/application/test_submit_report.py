from __future__ import annotations

import io

import pytest

from application.errors import EmptyUpload, UploadTooLarge
from application.submit_report import SubmitReport, SubmitReportHandler
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


def test_a_submitted_report_is_stored_with_a_queued_job_and_enqueued_after_commit(world: World) -> None:
    submitted = world.submit(b"a,b\n1,2\n")

    job = world.uow.state.jobs[submitted.job.id]
    report = world.uow.state.reports[submitted.report_id]
    assert job.status is JobStatus.QUEUED
    assert report.job_id == job.id
    assert world.blobs.blobs[report.blob_key] == b"a,b\n1,2\n"
    assert [e.to_status for e in world.uow.state.events[job.id]] == [JobStatus.QUEUED]
    assert [(d.job_id, d.attempt, d.queue) for d in world.queue.deliveries] == [(job.id, 1, "reports")]
    assert world.uow.commits == 1


def test_nothing_is_enqueued_when_the_transaction_does_not_commit(world: World) -> None:
    class ExplodingReports:
        def add(self, report: object) -> None:
            raise RuntimeError("database went away")

    class BrokenUnitOfWork(type(world.uow)):  # type: ignore[misc]
        def __enter__(self):  # type: ignore[no-untyped-def]
            super().__enter__()
            self.reports = ExplodingReports()
            return self

    world.uow = BrokenUnitOfWork(world.uow.state)

    with pytest.raises(RuntimeError):
        world.submit()

    assert world.queue.deliveries == []
    assert world.uow.state.jobs == {}
    assert world.blobs.blobs == {}, "the stored file is removed when the job could not be recorded"


def test_an_upload_over_the_limit_is_refused_before_anything_is_stored(world: World) -> None:
    with pytest.raises(UploadTooLarge):
        world.submit(b"x" * 1001)

    assert world.blobs.blobs == {}
    assert world.uow.state.jobs == {}


def test_an_empty_upload_is_refused(world: World) -> None:
    with pytest.raises(EmptyUpload):
        world.submit(b"")

    assert world.uow.state.jobs == {}


def test_a_broker_outage_after_commit_keeps_the_accepted_job(world: World) -> None:
    world.queue.fail_with = ConnectionError("broker down")

    submitted = world.submit()

    assert world.uow.state.jobs[submitted.job.id].status is JobStatus.QUEUED
    assert len(world.uow.callback_errors) == 1


def test_the_report_name_defaults_to_the_file_name(world: World) -> None:
    handler = SubmitReportHandler(
        uow=world.uow, blobs=world.blobs, queue=world.queue, clock=world.clock, intake=world.intake
    )

    submitted = handler(SubmitReport(owner_id=7, filename="sales.csv", size_bytes=3, content=io.BytesIO(b"a\n1")))

    assert world.uow.state.reports[submitted.report_id].name == "sales.csv"
    assert world.uow.state.jobs[submitted.job.id].owner_id == 7
