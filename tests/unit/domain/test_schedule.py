import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidCron, InvalidSchedule, InvalidTimezone
from domain.schedule import Schedule, SchedulerLease

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def hourly(now: datetime = NOON, **options: object) -> Schedule:
    fields: dict[str, object] = {"cron": "0 * * * *", "timezone": "UTC", "enabled": True, **options}
    return Schedule.create(id=uuid.uuid4(), owner_id=1, report_id=uuid.uuid4(), name="s", now=now, **fields)  # type: ignore[arg-type]


def test_a_new_schedule_waits_for_its_first_tick_after_now() -> None:
    schedule = hourly(NOON + timedelta(minutes=1))

    assert schedule.next_run_at == NOON + timedelta(hours=1)
    assert not schedule.is_due(NOON + timedelta(minutes=59))
    assert schedule.is_due(NOON + timedelta(hours=1))


def test_a_schedule_is_refused_with_an_invalid_cron_or_timezone() -> None:
    with pytest.raises(InvalidCron):
        hourly(cron="0 * * *")
    with pytest.raises(InvalidTimezone):
        hourly(timezone="Europe/Atlantis")


def test_a_firing_on_time_runs_that_tick_and_moves_to_the_next() -> None:
    schedule = hourly()

    firing = schedule.fire(now=NOON + timedelta(hours=1, seconds=3))

    assert (firing.scheduled_for, firing.skipped) == (NOON + timedelta(hours=1), 0)
    assert schedule.next_run_at == NOON + timedelta(hours=2)
    assert (schedule.runs, schedule.last_run_at) == (1, NOON + timedelta(hours=1))


def test_ticks_missed_while_no_scheduler_ran_are_caught_up_by_one_run_for_the_latest() -> None:
    schedule = hourly()

    firing = schedule.fire(now=NOON + timedelta(hours=4, minutes=10))  # 13:00, 14:00, 15:00, 16:00 were due

    assert (firing.scheduled_for, firing.skipped) == (NOON + timedelta(hours=4), 3)
    assert schedule.next_run_at == NOON + timedelta(hours=5)
    assert (schedule.runs, schedule.skipped_ticks) == (1, 3)


def test_a_schedule_that_is_not_due_cannot_fire() -> None:
    with pytest.raises(InvalidSchedule):
        hourly().fire(now=NOON + timedelta(minutes=30))


def test_the_ticks_of_a_paused_schedule_are_not_caught_up_when_it_is_enabled_again() -> None:
    schedule = hourly()
    schedule.change(now=NOON + timedelta(minutes=5), enabled=False)

    schedule.change(now=NOON + timedelta(hours=5, minutes=5), enabled=True)

    assert schedule.next_run_at == NOON + timedelta(hours=6)
    assert schedule.disabled_reason == ""


def test_a_new_cron_or_timezone_counts_from_now() -> None:
    schedule = hourly()

    schedule.change(now=NOON, cron="30 9 * * *", timezone="Asia/Tokyo")

    assert schedule.next_run_at == datetime(2026, 1, 2, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    assert (schedule.cron.text, schedule.timezone) == ("30 9 * * *", "Asia/Tokyo")


def test_a_refused_change_changes_nothing() -> None:
    schedule = hourly()

    with pytest.raises(InvalidTimezone):
        schedule.change(now=NOON, cron="5 * * * *", timezone="Nowhere/Else")

    assert (schedule.cron.text, schedule.timezone) == ("0 * * * *", "UTC")


def test_a_disabled_schedule_is_never_due_and_says_why() -> None:
    schedule = hourly()

    schedule.disable("the source is gone", now=NOON)

    assert not schedule.is_due(NOON + timedelta(days=1))
    assert (schedule.next_run_at, schedule.disabled_reason) == (None, "the source is gone")


def test_a_lease_held_by_another_is_refused_until_it_expires() -> None:
    lease = SchedulerLease(name="scheduler")

    assert lease.claim("a", now=NOON, seconds=30)
    assert not lease.claim("b", now=NOON + timedelta(seconds=29), seconds=30)
    assert lease.claim("a", now=NOON + timedelta(seconds=29), seconds=30)  # renewed: until 12:00:59
    assert not lease.claim("b", now=NOON + timedelta(seconds=58), seconds=30)
    assert lease.claim("b", now=NOON + timedelta(seconds=59), seconds=30)
    assert lease.holder == "b"


def test_a_released_lease_can_be_taken_at_once_and_only_its_holder_releases_it() -> None:
    lease = SchedulerLease(name="scheduler")
    lease.claim("a", now=NOON, seconds=30)

    lease.release("b", now=NOON)
    refused = lease.claim("b", now=NOON, seconds=30)
    lease.release("a", now=NOON)

    assert not refused
    assert lease.claim("b", now=NOON, seconds=30)
