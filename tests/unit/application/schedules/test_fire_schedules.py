import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from application.errors import NotFound
from application.schedules.fire import SCHEDULER, SOURCE_GONE
from application.schedules.manage import ChangeSchedule, ChangeScheduleHandler
from application.schedules.queries import ListScheduleRuns, ListScheduleRunsHandler
from domain.errors import DuplicateScheduledRun, InvalidCron, InvalidTimezone
from domain.job_status import JobStatus
from domain.ports import ScheduledRun
from tests.unit.application.conftest import World

HOURLY = "0 * * * *"


def runs_of(world: World, schedule_id: Any) -> list[ScheduledRun]:
    return [run for run in world.uow.state.schedule_runs if run.schedule_id == schedule_id]


def scheduled(world: World, cron: str = HOURLY, **options: Any) -> tuple[Any, Any]:
    """A processed upload and a schedule on it; the scheduler "beat-1" holds the lease."""
    submitted = world.submit(schema={"columns": [{"name": "a", "type": "int"}]})
    world.run_queue()
    world.queue.deliveries.clear()
    world.claim_lease("beat-1")
    return submitted, world.create_schedule(submitted.report_id, cron, **options)


def test_a_due_schedule_runs_its_report_again_as_an_ordinary_report_job(world: World) -> None:
    source, schedule = scheduled(world)
    world.clock.advance(3600)

    report = world.fire()
    outcomes = world.run_queue()

    (run,) = runs_of(world, schedule.id)
    job, new_report = world.job(run.job_id), world.uow.state.reports[run.report_id]
    original = world.uow.state.reports[source.report_id]
    assert (report.fired, report.skipped_ticks) == (1, 0)
    assert run.scheduled_for == datetime(2026, 1, 1, 13, 0, tzinfo=UTC)
    assert (job.kind, job.status, job.owner_id) == ("report.process", JobStatus.SUCCEEDED, 1)
    assert job.payload == {
        "report_id": str(run.report_id),
        "schedule_id": str(schedule.id),
        "scheduled_for": "2026-01-01T13:00:00+00:00",
    }
    assert world.uow.jobs.events(job.id)[0].actor == SCHEDULER
    assert new_report.blob_key == original.blob_key  # the same stored upload, not a copy
    assert new_report.declared_schema == original.declared_schema
    assert world.result_of(run.report_id) == world.result_of(source.report_id)
    assert [o.outcome for o in outcomes] == ["succeeded"]


def test_a_schedule_fires_once_per_tick_however_often_the_scheduler_fires(world: World) -> None:
    _, schedule = scheduled(world)
    world.clock.advance(3600)

    first, second = world.fire(), world.fire()
    world.clock.advance(30)
    third = world.fire()

    assert (first.fired, second.fired, third.fired) == (1, 0, 0)
    assert len(runs_of(world, schedule.id)) == 1


def test_every_tick_gets_its_own_run(world: World) -> None:
    _, schedule = scheduled(world)

    for _ in range(3):
        world.clock.advance(3600)
        world.fire()

    assert [r.scheduled_for.hour for r in runs_of(world, schedule.id)] == [13, 14, 15]
    assert [r.skipped for r in runs_of(world, schedule.id)] == [0, 0, 0]


def test_ticks_missed_while_the_scheduler_was_down_are_caught_up_by_one_run(world: World) -> None:
    _, schedule = scheduled(world)
    world.clock.advance(5 * 3600 + 600)  # 13:00 .. 17:00 passed with no scheduler running

    report = world.fire()

    (run,) = runs_of(world, schedule.id)
    assert (report.fired, report.skipped_ticks) == (1, 4)
    assert (run.scheduled_for.hour, run.skipped) == (17, 4)
    assert world.uow.state.schedules[schedule.id].next_run_at == datetime(2026, 1, 1, 18, 0, tzinfo=UTC)


def test_a_firing_sent_by_a_scheduler_that_does_not_hold_the_lease_does_nothing(world: World) -> None:
    _, schedule = scheduled(world)
    world.clock.advance(3600)
    world.claim_lease("beat-1")  # renewed, as the active scheduler does every third of the lease

    refused = world.claim_lease("beat-2")
    by_standby, unsigned = world.fire("beat-2"), world.fire("")

    assert (refused.held, refused.holder) == (False, "beat-1")
    assert (by_standby.active, unsigned.active) == (False, False)
    assert runs_of(world, schedule.id) == []


def test_a_standby_scheduler_takes_over_once_the_lease_expired_and_the_old_ones_firings_stop(world: World) -> None:
    _, schedule = scheduled(world)
    world.clock.advance(3600)

    taken = world.claim_lease("beat-2")  # beat-1 stopped renewing an hour ago
    by_old, by_new = world.fire("beat-1"), world.fire("beat-2")

    assert taken.held
    assert (by_old.active, by_new.fired) == (False, 1)
    assert len(runs_of(world, schedule.id)) == 1


def test_a_schedule_whose_source_upload_is_gone_is_disabled_with_the_reason(world: World) -> None:
    source, schedule = scheduled(world)
    world.blobs.delete(world.uow.state.reports[source.report_id].blob_key)
    world.clock.advance(3600)

    report = world.fire()
    world.clock.advance(3600)
    again = world.fire()

    stored = world.uow.state.schedules[schedule.id]
    assert (report.fired, report.disabled, again.disabled) == (0, 1, 0)
    assert (stored.enabled, stored.next_run_at, stored.disabled_reason) == (False, None, SOURCE_GONE)
    assert world.queue.deliveries == []


def test_a_run_is_recorded_once_per_schedule_and_tick(world: World) -> None:
    run = ScheduledRun(
        schedule_id=uuid.uuid4(),
        scheduled_for=world.clock.now(),
        report_id=uuid.uuid4(),
        job_id=uuid.uuid4(),
        skipped=0,
        created_at=world.clock.now(),
    )
    with world.uow as uow:
        uow.schedules.add_run(run)

        with pytest.raises(DuplicateScheduledRun):
            uow.schedules.add_run(run)


def test_a_schedule_on_another_owners_report_is_not_found(world: World) -> None:
    submitted = world.submit(owner_id=2)

    with pytest.raises(NotFound):
        world.create_schedule(submitted.report_id, HOURLY, owner_id=1)


def test_an_invalid_cron_or_timezone_creates_nothing(world: World) -> None:
    submitted = world.submit()

    with pytest.raises(InvalidCron):
        world.create_schedule(submitted.report_id, "every hour")
    with pytest.raises(InvalidTimezone):
        world.create_schedule(submitted.report_id, HOURLY, timezone="Moon/Base")

    assert world.uow.state.schedules == {}


def test_a_schedules_runs_are_its_report_jobs_newest_first_and_owner_scoped(world: World) -> None:
    _, schedule = scheduled(world)
    for _ in range(3):
        world.clock.advance(3600)
        world.fire()
    world.run_queue()
    list_runs = ListScheduleRunsHandler(uow=world.fresh_uow())

    page = list_runs(ListScheduleRuns(owner_id=1, schedule_id=schedule.id, limit=2))
    rest = list_runs(ListScheduleRuns(owner_id=1, schedule_id=schedule.id, cursor=page.next_cursor))

    assert [j.scheduled_for.hour for j in [*page.items, *rest.items]] == [15, 14, 13]  # type: ignore[union-attr]
    assert {j.schedule_id for j in page.items} == {schedule.id}
    with pytest.raises(NotFound):
        list_runs(ListScheduleRuns(owner_id=2, schedule_id=schedule.id))


def test_another_owner_cannot_change_a_schedule(world: World) -> None:
    _, schedule = scheduled(world)

    with pytest.raises(NotFound):
        ChangeScheduleHandler(uow=world.fresh_uow(), clock=world.clock)(
            ChangeSchedule(owner_id=2, schedule_id=schedule.id, enabled=False)
        )
