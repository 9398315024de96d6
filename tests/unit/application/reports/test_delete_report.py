from __future__ import annotations

from typing import Any

import pytest

from application.errors import NotFound, ReportDeleted, ReportInUse, ReportJobActive
from application.reports.delete import DeleteReport, DeleteReportHandler
from application.reports.get_report import GetReportDocument, GetReportDocumentHandler
from domain.errors import PermanentError
from tests.unit.application.conftest import World


def delete(world: World, report_id: Any, owner_id: int = 1) -> None:
    DeleteReportHandler(uow=world.fresh_uow(), blobs=world.blobs, clock=world.clock)(
        DeleteReport(owner_id=owner_id, report_id=report_id)
    )


def test_deleting_a_report_removes_its_upload_and_documents_and_keeps_a_tombstone_and_the_trail(
    world: World,
) -> None:
    submitted = world.submit()
    world.run_queue()
    report = world.uow.state.reports[submitted.report_id]
    assert report.output is not None
    files = {report.blob_key, *report.output.blob_keys}
    events_before = list(world.uow.state.events[submitted.job.id])
    world.clock.advance(60)

    delete(world, submitted.report_id)

    tombstone = world.uow.state.reports[submitted.report_id]
    assert tombstone.deleted_at == world.clock.now()
    assert files & set(world.blobs.blobs) == set()
    assert world.uow.state.events[submitted.job.id] == events_before


def test_the_result_of_a_deleted_report_is_gone(world: World) -> None:
    submitted = world.submit()
    world.run_queue()
    delete(world, submitted.report_id)

    with pytest.raises(ReportDeleted):
        GetReportDocumentHandler(uow=world.fresh_uow(), blobs=world.blobs)(
            GetReportDocument(owner_id=1, report_id=submitted.report_id)
        )


def test_a_report_whose_job_has_not_ended_is_not_deleted(world: World) -> None:
    submitted = world.submit()

    with pytest.raises(ReportJobActive):
        delete(world, submitted.report_id)

    assert world.uow.state.reports[submitted.report_id].deleted_at is None
    assert world.uow.state.reports[submitted.report_id].blob_key in world.blobs.blobs


def test_a_report_a_schedule_runs_from_is_not_deleted_and_the_schedule_is_named(world: World) -> None:
    submitted = world.submit()
    world.run_queue()
    schedule = world.create_schedule(submitted.report_id, "0 * * * *")

    with pytest.raises(ReportInUse) as refused:
        delete(world, submitted.report_id)

    assert refused.value.schedule_ids == [schedule.id]
    assert world.uow.state.reports[submitted.report_id].blob_key in world.blobs.blobs


def test_an_upload_shared_with_a_schedule_run_stays_until_its_last_report_is_deleted(world: World) -> None:
    source = world.submit()
    world.run_queue()
    schedule = world.create_schedule(source.report_id, "* * * * *")
    world.claim_lease()
    world.clock.advance(61)
    world.fire()
    world.run_queue()
    (run,) = [r for r in world.uow.state.reports.values() if r.id != source.report_id]
    upload = run.blob_key
    world.uow.state.schedules.pop(schedule.id)  # the schedule is deleted; its run's report stays

    delete(world, source.report_id)
    kept = upload in world.blobs.blobs
    delete(world, run.id)

    assert kept, "the run's report still used the upload"
    assert upload not in world.blobs.blobs


def test_another_users_report_is_not_found_and_deleting_twice_is_harmless(world: World) -> None:
    submitted = world.submit(owner_id=1)
    world.run_queue()

    with pytest.raises(NotFound):
        delete(world, submitted.report_id, owner_id=2)
    delete(world, submitted.report_id)
    delete(world, submitted.report_id)

    assert world.uow.state.reports[submitted.report_id].deleted_at is not None


def test_replaying_the_job_of_a_deleted_report_fails_at_once(world: World) -> None:
    world.fail_next(PermanentError("bad file"))
    submitted = world.submit()
    world.run_queue()
    delete(world, submitted.report_id)

    world.replay(submitted.job.id)
    world.run_queue()

    job = world.job(submitted.job.id)
    assert job.status == "failed"
    assert "was deleted" in job.error
    assert world.analyzer.calls == 1, "the replay did not try to read the deleted upload"
