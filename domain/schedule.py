"""Scheduled reports: a schedule re-runs one of its owner's reports on a cron expression, and
the lease that lets one scheduler, and only one, fire schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.cron import CronExpression, timezone_named
from domain.errors import InvalidSchedule

# ticks missed while no scheduler ran are counted up to this many (the count is informational)
SKIPPED_COUNT_CAP = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Firing:
    """One run of a schedule: for the tick `scheduled_for`, standing in for `skipped` earlier
    ticks that were missed (while no scheduler ran) and are not run on their own."""

    scheduled_for: datetime
    skipped: int


@dataclass(kw_only=True, eq=False)
class Schedule:
    """Guards when it runs: `next_run_at` is its next tick while enabled, None while disabled."""

    id: UUID
    owner_id: int
    report_id: UUID  # the source: its stored upload and declared schema are reused by every run
    name: str
    cron: CronExpression
    timezone: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    next_run_at: datetime | None = None
    last_run_at: datetime | None = None  # the tick of the latest run
    last_job_id: UUID | None = None
    runs: int = 0
    skipped_ticks: int = 0
    disabled_reason: str = ""

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        owner_id: int,
        report_id: UUID,
        name: str,
        cron: str,
        timezone: str,
        enabled: bool,
        now: datetime,
    ) -> Schedule:
        """Raises InvalidCron or InvalidTimezone."""
        expression = CronExpression.parse(cron)
        timezone_named(timezone)
        schedule = cls(
            id=id,
            owner_id=owner_id,
            report_id=report_id,
            name=name,
            cron=expression,
            timezone=timezone,
            enabled=enabled,
            created_at=now,
            updated_at=now,
        )
        if enabled:
            schedule.next_run_at = expression.next_after(now, timezone_named(timezone))
        return schedule

    def is_due(self, now: datetime) -> bool:
        return self.enabled and self.next_run_at is not None and self.next_run_at <= now

    def fire(self, *, now: datetime) -> Firing:
        """Run once for the latest tick that is due; earlier due ticks were missed and are
        skipped (catch-up: one run, however many ticks passed). The next tick comes after `now`."""
        if not self.is_due(now) or self.next_run_at is None:
            raise InvalidSchedule(f"schedule {self.id} is not due at {now.isoformat()}")
        zone = timezone_named(self.timezone)
        latest = max(self.cron.last_at_or_before(now, zone) or self.next_run_at, self.next_run_at)
        skipped = self.cron.count_between(self.next_run_at, latest, zone, cap=SKIPPED_COUNT_CAP)
        self.next_run_at = self.cron.next_after(now, zone)
        self.last_run_at = latest
        self.runs += 1
        self.skipped_ticks = min(self.skipped_ticks + skipped, SKIPPED_COUNT_CAP)
        self.updated_at = now
        return Firing(scheduled_for=latest, skipped=skipped)

    def ran_as(self, job_id: UUID) -> None:
        self.last_job_id = job_id

    def change(
        self,
        *,
        now: datetime,
        name: str | None = None,
        cron: str | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change what was given. A new cron, timezone or enabling counts from `now`: the ticks
        of a paused schedule were not missed, and are not caught up. Raises InvalidSchedule."""
        expression = CronExpression.parse(cron) if cron is not None else self.cron
        zone = timezone_named(timezone if timezone is not None else self.timezone)
        timing_changed = (cron is not None and expression.text != self.cron.text) or (
            timezone is not None and timezone != self.timezone
        )
        self.cron, self.timezone = expression, zone.key
        if name is not None:
            self.name = name
        if enabled is False:
            self.disable("", now=now)
        elif (enabled and not self.enabled) or (self.enabled and timing_changed):
            self.enabled, self.disabled_reason = True, ""
            self.next_run_at = expression.next_after(now, zone)
        self.updated_at = now

    def disable(self, reason: str, *, now: datetime) -> None:
        """No more runs until it is enabled again; `reason` says why when it was not its owner."""
        self.enabled = False
        self.next_run_at = None
        self.disabled_reason = reason
        self.updated_at = now


@dataclass(kw_only=True, eq=False)
class SchedulerLease:
    """Who may fire schedules: one holder at a time, until `expires_at` unless renewed."""

    name: str
    holder: str = ""
    expires_at: datetime | None = None

    def claim(self, holder: str, *, now: datetime, seconds: float) -> bool:
        """Take the lease if it is free or expired, renew it if `holder` has it; False when
        someone else holds it."""
        if self.holder != holder and self.expires_at is not None and self.expires_at > now:
            return False
        self.holder, self.expires_at = holder, now + timedelta(seconds=seconds)
        return True

    def release(self, holder: str, *, now: datetime) -> None:
        """Let it go at once (a scheduler stopping cleanly), so another need not wait it out."""
        if self.holder == holder and (self.expires_at is None or self.expires_at > now):
            self.expires_at = now
