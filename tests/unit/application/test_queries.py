from __future__ import annotations

import json
import uuid

import pytest

from application.errors import InvalidCursor, NotFound, ResultNotReady, ResultUnavailable
from application.jobs.get_job import GetJob, GetJobEventsHandler, GetJobHandler
from application.jobs.list_jobs import ListJobs, ListJobsHandler
from application.reports.get_report import GetReport, GetReportDocument, GetReportDocumentHandler, GetReportHandler
from domain.errors import InvalidReportFile
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


def test_an_owner_sees_their_job_and_its_events(world: World) -> None:
    submitted = world.submit()
    world.process(submitted.job.id, attempt=1)

    job = GetJobHandler(uow=world.uow)(GetJob(owner_id=1, job_id=submitted.job.id))
    events = GetJobEventsHandler(uow=world.uow)(GetJob(owner_id=1, job_id=submitted.job.id))

    assert job.status is JobStatus.SUCCEEDED
    assert [e.seq for e in events] == [1, 2, 3]


def test_another_owners_job_is_not_found(world: World) -> None:
    submitted = world.submit(owner_id=1)

    with pytest.raises(NotFound):
        GetJobHandler(uow=world.uow)(GetJob(owner_id=2, job_id=submitted.job.id))
    with pytest.raises(NotFound):
        GetJobEventsHandler(uow=world.uow)(GetJob(owner_id=2, job_id=submitted.job.id))
    with pytest.raises(NotFound):
        GetReportHandler(uow=world.uow)(GetReport(owner_id=2, report_id=submitted.report_id))


def test_the_result_is_not_ready_until_the_job_has_succeeded(world: World) -> None:
    submitted = world.submit()
    get_document = GetReportDocumentHandler(uow=world.uow, blobs=world.blobs)
    query = GetReportDocument(owner_id=1, report_id=submitted.report_id)

    with pytest.raises(ResultNotReady) as not_ready:
        get_document(query)
    world.process(submitted.job.id, attempt=1)

    assert not_ready.value.status == "queued"
    assert json.loads(get_document(query).read())["summary"] == {"rows": 2, "columns": 2}
    assert get_document(query.model_copy(update={"document": "report.html"})).read() == b"<p>2 rows</p>"


def test_a_report_shows_its_jobs_status_and_summary(world: World) -> None:
    submitted = world.submit()
    world.process(submitted.job.id, attempt=1)

    report = GetReportHandler(uow=world.uow)(GetReport(owner_id=1, report_id=submitted.report_id))

    assert report.job.status is JobStatus.SUCCEEDED
    assert report.summary == {"rows": 2, "columns": 2}


def test_jobs_are_listed_newest_first_across_pages_without_gaps_or_repeats(world: World) -> None:
    ids = []
    for _ in range(7):
        ids.append(world.submit().job.id)
        world.clock.advance(1)
    world.submit(owner_id=2)
    list_jobs = ListJobsHandler(uow=world.uow)

    seen, cursor, pages = [], None, 0
    while True:
        page = list_jobs(ListJobs(owner_id=1, cursor=cursor, limit=3))
        seen += [job.id for job in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == list(reversed(ids))
    assert pages == 3


def test_jobs_created_in_the_same_instant_still_page_correctly(world: World) -> None:
    ids = {world.submit().job.id for _ in range(5)}
    list_jobs = ListJobsHandler(uow=world.uow)

    first = list_jobs(ListJobs(owner_id=1, limit=2))
    second = list_jobs(ListJobs(owner_id=1, limit=10, cursor=first.next_cursor))

    assert {job.id for job in first.items} | {job.id for job in second.items} == ids
    assert len(first.items) + len(second.items) == 5


def test_jobs_can_be_filtered_by_status(world: World) -> None:
    done = world.submit().job.id
    world.submit()
    world.process(done, attempt=1)

    page = ListJobsHandler(uow=world.uow)(ListJobs(owner_id=1, status=JobStatus.SUCCEEDED))

    assert [job.id for job in page.items] == [done]


# a fixed id, not a random one: pytest -n needs the same test ids in every process
@pytest.mark.parametrize("cursor", ["garbage", "eyJ0IjoxfQ", "", uuid.UUID(int=7).hex])
def test_a_cursor_we_did_not_hand_out_is_refused(world: World, cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        ListJobsHandler(uow=world.uow)(ListJobs(owner_id=1, cursor=cursor or "==="))


@pytest.mark.parametrize("end", ["fail", "cancel"])
def test_the_result_of_a_job_that_ended_without_one_is_unavailable_not_merely_not_ready(world: World, end: str) -> None:
    submitted = world.submit()
    if end == "fail":
        world.fail_next(InvalidReportFile("not a report"))
        world.process(submitted.job.id, attempt=1)
    else:
        world.cancel(submitted.job.id)
    get_document = GetReportDocumentHandler(uow=world.uow, blobs=world.blobs)

    with pytest.raises(ResultUnavailable) as unavailable:
        get_document(GetReportDocument(owner_id=1, report_id=submitted.report_id))

    assert unavailable.value.status == {"fail": "failed", "cancel": "cancelled"}[end]
