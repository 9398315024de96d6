"""Schedules, run records and the scheduler lease: one contract for the in-memory and the Django
repositories; and concurrent firings on PostgreSQL start a tick's run once."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.memory import FixedClock, InMemoryTaskQueue
from application.schedules.fire import FireSchedules
from application.schedules.lease import ClaimSchedulerLease
from application.schedules.manage import CreateSchedule
from application.schedules.settings import SCHEDULER_LEASE
from config.container import container
from domain.errors import DuplicateScheduledRun
from domain.job import Job
from domain.ports import JobCursor, ScheduledRun, UnitOfWork
from domain.report import Report
from domain.schedule import Schedule

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def hourly(owner_id: int, at: datetime = T0, **options: Any) -> Schedule:
    return Schedule.create(
        id=uuid.uuid4(),
        owner_id=owner_id,
        report_id=uuid.uuid4(),
        name="hourly",
        cron="0 * * * *",
        timezone="Europe/Paris",
        enabled=options.pop("enabled", True),
        now=at,
    )


def add(uow: UnitOfWork, *schedules: Schedule) -> None:
    with uow:
        for schedule in schedules:
            uow.schedules.add(schedule)
        uow.commit()


def a_report_job(uow: UnitOfWork, owner_id: int, payload: dict[str, Any]) -> tuple[Job, Report]:
    job = Job.create(
        id=uuid.uuid4(), kind="report.process", owner_id=owner_id, queue="reports", max_attempts=3, now=T0, actor="x"
    )
    job.payload = payload
    report = Report(
        id=uuid.uuid4(), owner_id=owner_id, job_id=job.id, name="r", filename="r.csv", blob_key="k", size_bytes=1,
        created_at=T0,
    )  # fmt: skip
    with uow:
        uow.jobs.add(job)
        uow.reports.add(report)
        uow.commit()
    return job, report


def test_a_schedule_reads_back_as_saved_for_its_owner_only(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    schedule = hourly(alice)
    add(uow, schedule)
    schedule.fire(now=T0 + timedelta(hours=3))
    schedule.ran_as(uuid.uuid4())
    with uow:
        uow.schedules.save(schedule)
        uow.commit()

    with uow:
        mine, theirs = uow.schedules.get_for_owner(schedule.id, alice), uow.schedules.get_for_owner(schedule.id, bob)

    assert theirs is None
    assert mine is not None and vars(mine) == vars(schedule)


def test_the_most_overdue_enabled_schedule_is_due_first(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    later, earlier, paused = hourly(alice, T0 + timedelta(hours=1)), hourly(bob), hourly(alice, enabled=False)
    add(uow, later, earlier, paused)

    with uow:
        before = uow.schedules.next_due(T0 + timedelta(minutes=59))
        first = uow.schedules.next_due(T0 + timedelta(hours=5))

    assert before is None
    assert first is not None and first.id == earlier.id


def test_a_tick_is_recorded_once(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    schedule = hourly(alice)
    add(uow, schedule)
    job, report = a_report_job(uow, alice, {})
    run = ScheduledRun(
        schedule_id=schedule.id, scheduled_for=T0, report_id=report.id, job_id=job.id, skipped=2, created_at=T0
    )
    with uow:
        uow.schedules.add_run(run)
        uow.commit()

    with uow, pytest.raises(DuplicateScheduledRun):
        uow.schedules.add_run(run)
    with uow:
        assert uow.schedules.runs(schedule.id) == [run]


def test_schedules_are_listed_newest_first_after_a_cursor(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    made = [hourly(alice, T0 + timedelta(minutes=i)) for i in range(3)]
    add(uow, *made, hourly(bob))

    with uow:
        page = uow.schedules.list_for_owner(alice, limit=2)
        rest = uow.schedules.list_for_owner(alice, after=JobCursor(created_at=page[-1].created_at, job_id=page[-1].id))

    assert [s.id for s in page + rest] == [s.id for s in reversed(made)]


def test_the_jobs_of_a_schedule_are_those_whose_payload_names_it(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    schedule_id = uuid.uuid4()
    ran, _ = a_report_job(uow, alice, {"schedule_id": str(schedule_id)})
    a_report_job(uow, alice, {"schedule_id": str(uuid.uuid4())})

    with uow:
        jobs = uow.jobs.list_for_owner(alice, schedule_id=schedule_id)

    assert [job.id for job in jobs] == [ran.id]


def test_the_scheduler_lease_is_free_until_claimed_and_reads_back(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, _, _ = uow_and_owners
    with uow:
        vacant = uow.scheduler_leases.get(SCHEDULER_LEASE, for_update=True)
        assert vacant.claim("beat-a", now=T0, seconds=30)
        uow.scheduler_leases.save(vacant)
        uow.commit()

    with uow:
        held = uow.scheduler_leases.get(SCHEDULER_LEASE)

    assert (held.holder, held.expires_at) == ("beat-a", T0 + timedelta(seconds=30))


@pytest.mark.django_db(transaction=True)
def test_concurrent_firings_on_postgresql_start_a_ticks_run_once(make_user: Any) -> None:
    alice = make_user("alice")
    clock = FixedClock(T0)
    blob = container.blobs().save(name_hint="orders.csv", content=io.BytesIO(b"a,b\n1,2\n"))
    _, source = a_report_job(container.uow(), alice, {})
    source.blob_key = blob.key
    with container.uow() as uow:
        uow.reports.save(source)
        uow.commit()
    with container.schedule_clock.override(clock), container.task_queue.override(InMemoryTaskQueue()):
        schedule = container.create_schedule()(CreateSchedule(owner_id=alice, report_id=source.id, cron="0 * * * *"))
        container.claim_scheduler_lease()(ClaimSchedulerLease(holder="beat-a"))
        clock.advance(3600)
        start, reports = threading.Barrier(4), []

        def fire() -> None:
            start.wait()
            reports.append(container.fire_schedules()(FireSchedules(scheduler="beat-a")))

        threads = [threading.Thread(target=fire) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with container.uow() as uow:
            runs = uow.schedules.runs(schedule.id)

    assert sorted(report.fired for report in reports) == [0, 0, 0, 1]
    assert [run.scheduled_for for run in runs] == [T0 + timedelta(hours=1)]
