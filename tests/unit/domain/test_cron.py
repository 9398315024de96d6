from datetime import UTC, date, datetime

import pytest

from domain.cron import CronExpression, timezone_named
from domain.errors import InvalidCron, InvalidTimezone

PARIS = timezone_named("Europe/Paris")
NEW_YORK = timezone_named("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def runs(expression: str, after: datetime, zone: object, count: int) -> list[datetime]:
    cron, found = CronExpression.parse(expression), []
    for _ in range(count):
        after = cron.next_after(after, zone)  # type: ignore[arg-type]
        found.append(after)
    return found


@pytest.mark.parametrize(
    ("text", "minutes_of_day"),
    [
        ("*/20 9 * * *", (540, 560, 580)),
        ("0,30 8-9 * * *", (480, 510, 540, 570)),
        ("5-59/25 0 * * *", (5, 30, 55)),
        ("50/5 23 * * *", (1430, 1435)),
        ("@hourly", tuple(range(0, 1440, 60))),
    ],
)
def test_lists_ranges_steps_and_macros_give_the_times_of_day(text: str, minutes_of_day: tuple[int, ...]) -> None:
    assert CronExpression.parse(text).times == minutes_of_day


def test_month_and_weekday_names_and_seven_for_sunday_are_understood() -> None:
    cron = CronExpression.parse("0 12 * JAN-mar sun,7,Sat")

    assert cron.months == {1, 2, 3}
    assert cron.weekdays == {0, 6}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("* * * *", "five fields"),
        ("60 * * * *", "minute: 60 is outside 0-59"),
        ("* 24 * * *", "hour: 24 is outside 0-23"),
        ("* * 0 * *", "day of month: 0 is outside 1-31"),
        ("* * * 13 *", "month: 13 is outside 1-12"),
        ("* * * * 8", "day of week: 8 is outside 0-7"),
        ("5-1 * * * *", "runs backwards"),
        ("*/0 * * * *", "above 0"),
        ("one * * * *", "not a number"),
        ("* * * foo *", "not a number or a name"),
        ("0 0 30 2 *", "names no day"),
        ("@reboot", "five fields"),
        ("1," * 120 + "2 * * * *", "at most 200"),
    ],
)
def test_an_invalid_expression_is_refused_with_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(InvalidCron, match=says):
        CronExpression.parse(text)


def test_when_both_day_fields_are_restricted_either_one_matches() -> None:
    cron = CronExpression.parse("0 0 13 * 5")  # the 13th, and every Friday

    assert cron.matches_date(date(2026, 1, 13))  # a Tuesday
    assert cron.matches_date(date(2026, 1, 16))  # a Friday
    assert not cron.matches_date(date(2026, 1, 14))


def test_when_one_day_field_is_a_star_both_must_match() -> None:
    cron = CronExpression.parse("0 0 * * 1-5")

    assert cron.matches_date(date(2026, 1, 16))  # Friday
    assert not cron.matches_date(date(2026, 1, 17))  # Saturday


def test_runs_follow_each_other_strictly_after_the_given_instant() -> None:
    assert runs("*/15 * * * *", utc(2026, 1, 1, 12, 0), UTC, 3) == [
        utc(2026, 1, 1, 12, 15),
        utc(2026, 1, 1, 12, 30),
        utc(2026, 1, 1, 12, 45),
    ]


def test_a_daily_run_keeps_its_local_time_in_winter_and_in_summer() -> None:
    winter = runs("0 9 * * *", utc(2026, 1, 10), NEW_YORK, 1)
    summer = runs("0 9 * * *", utc(2026, 7, 10), NEW_YORK, 1)

    assert winter == [utc(2026, 1, 10, 14, 0)]
    assert summer == [utc(2026, 7, 10, 13, 0)]


def test_a_daily_time_the_clock_skips_runs_once_when_the_clock_jumps() -> None:
    # Paris, 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day
    found = runs("30 2 * * *", utc(2026, 3, 28, 12), PARIS, 3)

    assert [t.astimezone(PARIS).strftime("%d %H:%M") for t in found] == ["29 03:00", "30 02:30", "31 02:30"]
    assert found[0] == utc(2026, 3, 29, 1, 0)


def test_an_hourly_schedule_keeps_its_spacing_across_the_spring_gap() -> None:
    found = runs("30 * * * *", utc(2026, 3, 29, 0, 0), PARIS, 3)

    assert found == [utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 30)]
    assert [t.astimezone(PARIS).strftime("%H:%M") for t in found] == ["01:30", "03:30", "04:30"]


def test_a_daily_time_the_clock_shows_twice_runs_once_at_its_first_occurrence() -> None:
    # Paris, 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice
    found = runs("30 2 * * *", utc(2026, 10, 24, 12), PARIS, 2)

    assert found == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_an_hourly_schedule_runs_at_both_occurrences_of_a_repeated_hour() -> None:
    found = runs("30 * * * *", utc(2026, 10, 24, 23, 0), PARIS, 4)

    assert found == [utc(2026, 10, 24, 23, 30), *(utc(2026, 10, 25, hour, 30) for hour in (0, 1, 2))]


def test_a_day_without_a_dst_change_gives_the_same_runs_as_working_them_out_one_by_one() -> None:
    cron = CronExpression.parse("*/7 */3 * * *")
    day = date(2026, 6, 1)

    steady = cron.ticks_on(day, PARIS)
    one_by_one = sorted(t for m in cron.times for t in cron._instants(datetime(2026, 6, 1, m // 60, m % 60), PARIS))

    assert steady == one_by_one
    assert len(steady) == 8 * 9


def test_the_last_run_at_or_before_an_instant_and_the_runs_between_two_are_found() -> None:
    cron = CronExpression.parse("0 * * * *")

    assert cron.last_at_or_before(utc(2026, 1, 1, 12, 59), UTC) == utc(2026, 1, 1, 12, 0)
    assert cron.last_at_or_before(utc(2026, 1, 1, 12, 0), UTC) == utc(2026, 1, 1, 12, 0)
    assert cron.count_between(utc(2026, 1, 1, 9, 0), utc(2026, 1, 1, 12, 0), UTC, cap=100) == 3
    assert cron.count_between(utc(2026, 1, 1), utc(2026, 2, 1), UTC, cap=100) == 100


def test_a_29_february_schedule_finds_its_next_leap_year() -> None:
    assert runs("0 0 29 2 *", utc(2026, 3, 1), UTC, 1) == [utc(2028, 2, 29)]


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "localtime"])
def test_only_iana_timezone_names_are_timezones(name: str) -> None:
    with pytest.raises(InvalidTimezone):
        timezone_named(name)
