"""Cron expressions (five fields) evaluated in an IANA timezone, with daylight saving time.

Fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or jan-dec), day of
week (0-7 or sun-sat, 0 and 7 both Sunday). Each is `*`, a value, a range `a-b`, a step
`*/n`, `a-b/n` or `a/n`, or a comma-separated list of these; `@hourly`, `@daily`
(`@midnight`), `@weekly`, `@monthly` and `@yearly` (`@annually`) stand for the usual five
fields. As in cron, when both day fields are restricted a day matching either one counts.

Times are wall-clock times in the schedule's timezone. Where daylight saving time moves the
clock (the rules of Debian's cron):
- a time the clock skips (spring forward) runs once, at the moment the clock jumps, unless the
  hour field starts with `*` (an hourly or finer schedule): its skipped times simply did not
  happen, and its other runs keep their spacing;
- a time the clock shows twice (fall back) runs once, at its first occurrence, unless the hour
  field starts with `*`: then it runs at both, since they are an hour of real time apart.
"""

from __future__ import annotations

import bisect
import functools
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.errors import InvalidCron, InvalidTimezone

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES, start=1)}
_WEEKDAYS = {name: n for n, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
# (name, lowest, highest, names) of the five fields
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _WEEKDAYS),
)
_LONGEST_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
# 29 February can be eight years away (2096, then 2104)
_DAYS_SCANNED = 366 * 9
MAX_LENGTH = 200


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - {"localtime"})


def timezone_named(name: str) -> ZoneInfo:
    """The IANA timezone `name` (e.g. "Europe/Paris", "UTC"). Raises InvalidTimezone."""
    if name not in _zone_names():
        raise InvalidTimezone(f"{name[:64]!r} is not an IANA timezone name such as 'Europe/Paris' or 'UTC'")
    return ZoneInfo(name)


def _field(text: str, name: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    def value(token: str) -> int:
        number = names.get(token.lower()) if names else None
        if number is None:
            if not token.isdigit():
                raise InvalidCron(f"{name}: {token!r} is not a number{' or a name' if names else ''}")
            number = int(token)
        if not low <= number <= high:
            raise InvalidCron(f"{name}: {number} is outside {low}-{high}")
        return number

    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise InvalidCron(f"{name}: the step {step_text!r} must be a whole number above 0")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = value(start), value(end)
            if first > last:
                raise InvalidCron(f"{name}: the range {span!r} runs backwards")
        else:
            first = value(span)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class CronExpression:
    text: str
    times: tuple[int, ...]  # the times of day it runs, in minutes after midnight, in order
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 is Sunday
    any_day: bool  # the day-of-month field starts with "*"
    any_weekday: bool  # the day-of-week field starts with "*"
    any_hour: bool  # the hour field starts with "*": runs keep their spacing across DST changes

    @classmethod
    def parse(cls, text: str) -> CronExpression:
        """Raises InvalidCron, saying what is wrong, for anything but a valid expression."""
        text = " ".join(text.split())
        if len(text) > MAX_LENGTH:
            raise InvalidCron(f"a cron expression has at most {MAX_LENGTH} characters")
        fields = _MACROS.get(text.lower(), text).split(" ")
        if len(fields) != 5:
            raise InvalidCron(
                "a cron expression has five fields: minute hour day-of-month month day-of-week (e.g. '30 9 * * 1-5')"
            )
        minutes, hours, days, months, weekdays = (
            _field(part, *spec) for part, spec in zip(fields, _FIELDS, strict=True)
        )
        expression = cls(
            text=text,
            times=tuple(sorted(hour * 60 + minute for hour in hours for minute in minutes)),
            days=days,
            months=months,
            weekdays=frozenset(day % 7 for day in weekdays),
            any_day=fields[2].startswith("*"),
            any_weekday=fields[4].startswith("*"),
            any_hour=fields[1].startswith("*"),
        )
        if expression.any_weekday and not any(d <= _LONGEST_MONTH[m] for m in months for d in days):
            raise InvalidCron(f"{text!r} names no day that exists in its months")
        return expression

    def matches_date(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        on_day, on_weekday = day.day in self.days, day.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return on_day and on_weekday
        return on_day or on_weekday

    def ticks_on(self, day: date, zone: ZoneInfo) -> list[datetime]:
        """The instants (UTC, in order) at which this expression fires on local date `day`."""
        return self._day(day, zone).ticks()

    def next_after(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """The first run strictly after `instant` (UTC)."""
        for day in _days(instant.astimezone(zone).date(), 1):
            tick = self._day(day, zone).first_after(instant)
            if tick is not None:
                return tick
        raise InvalidCron(f"{self.text!r} does not run in the next {_DAYS_SCANNED} days")  # parse() rules this out

    def last_at_or_before(self, instant: datetime, zone: ZoneInfo) -> datetime | None:
        """The last run at or before `instant` (UTC), or None if there is none in years."""
        for day in _days(instant.astimezone(zone).date(), -1):
            tick = self._day(day, zone).last_at_or_before(instant)
            if tick is not None:
                return tick
        return None

    def count_between(self, start: datetime, end: datetime, zone: ZoneInfo, *, cap: int) -> int:
        """How many runs fall in [start, end), counted up to `cap`."""
        count, last_day = 0, end.astimezone(zone).date()
        for day in _days(start.astimezone(zone).date(), 1):
            if day > last_day or count >= cap:
                break
            count += self._day(day, zone).count_between(start, end)
        return min(count, cap)

    def _day(self, day: date, zone: ZoneInfo) -> _Day:
        if not self.matches_date(day):
            return _Ticks([])
        first, last = datetime.combine(day, time(0), zone), datetime.combine(day, time(23, 59), zone)
        offsets = {moment.replace(fold=fold).utcoffset() for moment in (first, last) for fold in (0, 1)}
        if len(offsets) == 1:  # no DST change that day: one offset for every time
            offset = offsets.pop() or timedelta(0)
            return _SteadyDay(datetime.combine(day, time(0), UTC) - offset, self.times)
        walls = (datetime.combine(day, time(t // 60, t % 60)) for t in self.times)
        return _Ticks(sorted({instant for wall in walls for instant in self._instants(wall, zone)}))

    def _instants(self, wall: datetime, zone: ZoneInfo) -> list[datetime]:
        first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
        if first == second:
            return [first]
        if first < second:  # the clock shows this time twice (fall back)
            return [first, second] if self.any_hour else [first]
        # the clock skips this time (spring forward): `second` is before the jump, `first` after
        return [] if self.any_hour else [_jump(second, first, zone)]


class _Day(Protocol):
    def ticks(self) -> list[datetime]: ...

    def first_after(self, instant: datetime) -> datetime | None: ...

    def last_at_or_before(self, instant: datetime) -> datetime | None: ...

    def count_between(self, start: datetime, end: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class _SteadyDay:
    """A day with one UTC offset: its runs are midnight plus their minutes, found by bisection
    (an every-minute schedule would otherwise build 1,440 datetimes per look-up)."""

    midnight: datetime
    times: tuple[int, ...]

    def ticks(self) -> list[datetime]:
        return [self._at(index) for index in range(len(self.times))]

    def first_after(self, instant: datetime) -> datetime | None:
        index = bisect.bisect_right(self.times, self._minutes(instant))
        return self._at(index) if index < len(self.times) else None

    def last_at_or_before(self, instant: datetime) -> datetime | None:
        index = bisect.bisect_right(self.times, self._minutes(instant)) - 1
        return self._at(index) if index >= 0 else None

    def count_between(self, start: datetime, end: datetime) -> int:
        return bisect.bisect_left(self.times, self._minutes(end)) - bisect.bisect_left(self.times, self._minutes(start))

    def _minutes(self, instant: datetime) -> float:
        return (instant - self.midnight).total_seconds() / 60

    def _at(self, index: int) -> datetime:
        return self.midnight + timedelta(minutes=self.times[index])


@dataclass(frozen=True, slots=True)
class _Ticks:
    """A day whose runs were worked out one by one (a DST change, or no run at all)."""

    instants: list[datetime]

    def ticks(self) -> list[datetime]:
        return list(self.instants)

    def first_after(self, instant: datetime) -> datetime | None:
        return next((tick for tick in self.instants if tick > instant), None)

    def last_at_or_before(self, instant: datetime) -> datetime | None:
        return next((tick for tick in reversed(self.instants) if tick <= instant), None)

    def count_between(self, start: datetime, end: datetime) -> int:
        return sum(1 for tick in self.instants if start <= tick < end)


def _days(start: date, direction: int) -> Iterator[date]:
    for offset in range(_DAYS_SCANNED):
        yield start + timedelta(days=offset * direction)


def _jump(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant in (before, after] at which the clock of `zone` jumps forward."""
    target = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
