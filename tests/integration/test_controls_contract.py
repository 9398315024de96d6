"""One contract for both adapters of what the controls read: the reports retention may take,
the uploads still in use, the schedules running from a report, and a submission's usage."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from adapters.memory import InMemoryUnitOfWork
from adapters.memory.usage import InMemorySubmissionUsage
from adapters.orm.usage import DjangoSubmissionUsage
from application.reports.quotas import SubmissionUsage, Usage
from domain.job import Job
from domain.ports import UnitOfWork
from domain.report import Report
from domain.schedule import Schedule

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KIND = "report.process"


def a_report(
    uow: UnitOfWork, owner_id: int, *, at: datetime = T0, blob_key: str = "", size: int = 10, ended: bool = True
) -> Report:
    job = Job.create(id=uuid.uuid4(), kind=KIND, owner_id=owner_id, queue="default", max_attempts=3, now=at, actor="x")
    if ended:
        job.start(now=at, worker="w", lease_seconds=30)
        job.succeed(now=at, actor="w")
    report = Report(
        id=uuid.uuid4(), owner_id=owner_id, job_id=job.id, name="r", filename="r.csv",
        blob_key=blob_key or f"uploads/{uuid.uuid4().hex}", size_bytes=size, created_at=at,
    )  # fmt: skip
    with uow:
        uow.jobs.add(job)
        uow.reports.add(report)
        uow.commit()
    return report


def schedule_from(uow: UnitOfWork, report: Report) -> Schedule:
    schedule = Schedule.create(
        id=uuid.uuid4(), owner_id=report.owner_id, report_id=report.id, name="s", cron="0 * * * *", timezone="UTC",
        enabled=True, now=T0,
    )  # fmt: skip
    with uow:
        uow.schedules.add(schedule)
        uow.commit()
    return schedule


def delete(uow: UnitOfWork, report: Report) -> None:
    with uow:
        report.delete(now=T0)
        uow.reports.save(report)
        uow.commit()


def test_retention_takes_old_stored_ended_unscheduled_reports_oldest_first(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, bob = uow_and_owners
    oldest = a_report(uow, bob, at=T0 - timedelta(days=3))
    old = a_report(uow, alice, at=T0 - timedelta(days=2))
    a_report(uow, alice, at=T0 - timedelta(days=2), ended=False)  # still waiting
    schedule_from(uow, a_report(uow, alice, at=T0 - timedelta(days=2)))  # a schedule runs from it
    delete(uow, a_report(uow, alice, at=T0 - timedelta(days=2)))  # already deleted
    a_report(uow, alice, at=T0)  # too recent

    with uow:
        expired = uow.reports.expired(T0 - timedelta(days=1), limit=10)
        first = uow.reports.expired(T0 - timedelta(days=1), limit=1)

    assert [r.id for r in expired] == [oldest.id, old.id]
    assert [r.id for r in first] == [oldest.id]


def test_an_upload_is_in_use_while_a_stored_report_refers_to_it(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    source = a_report(uow, alice, blob_key="uploads/shared")
    run = a_report(uow, alice, blob_key="uploads/shared")
    alone = a_report(uow, alice, blob_key="uploads/alone")
    delete(uow, source)
    delete(uow, alone)

    with uow:
        in_use = uow.reports.blobs_in_use(["uploads/shared", "uploads/alone", "uploads/never"])
    delete(uow, run)
    with uow:
        after = uow.reports.blobs_in_use(["uploads/shared"])

    assert (in_use, after) == ({"uploads/shared"}, set())


def test_the_schedules_running_from_a_report_are_found_oldest_first(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, _ = uow_and_owners
    report = a_report(uow, alice)
    first, second = schedule_from(uow, report), schedule_from(uow, report)
    other = a_report(uow, alice)

    with uow:
        found = uow.schedules.running_from(report.id)
        none = uow.schedules.running_from(other.id)

    assert set(found) == {first.id, second.id} and none == []


def usage_of(uow: UnitOfWork) -> SubmissionUsage:
    if isinstance(uow, InMemoryUnitOfWork):
        return InMemorySubmissionUsage(uow.state, kinds=[KIND])
    return DjangoSubmissionUsage(kinds=[KIND])


def test_usage_counts_unfinished_jobs_stored_bytes_once_per_upload_and_the_backlog(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, bob = uow_and_owners
    a_report(uow, alice, ended=False, size=5)
    a_report(uow, alice, ended=False, size=7, blob_key="uploads/shared")
    a_report(uow, alice, size=7, blob_key="uploads/shared")  # a schedule's run: the same upload
    delete(uow, a_report(uow, alice, size=1000))
    a_report(uow, bob, ended=False, size=100)

    usage = usage_of(uow).usage(alice, unfinished=True, stored_bytes=True, backlog=True)
    only_backlog = usage_of(uow).usage(alice, unfinished=False, stored_bytes=False, backlog=True)

    assert usage == Usage(unfinished=2, stored_bytes=12, backlog=3)
    assert only_backlog == Usage(backlog=3)
