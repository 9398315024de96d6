from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.ports.repositories import JobCursor
from domain.schedule import Schedule, SchedulerLease


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledRun:
    """The record that schedule `schedule_id` ran for its tick `scheduled_for`: at most one each."""

    schedule_id: UUID
    scheduled_for: datetime
    report_id: UUID
    job_id: UUID
    skipped: int
    created_at: datetime


class ScheduleRepository(Protocol):
    def add(self, schedule: Schedule) -> None: ...

    def save(self, schedule: Schedule) -> None: ...

    def delete(self, schedule_id: UUID) -> None:
        """Forget the schedule and its run records; its runs' reports and jobs stay."""

    def get_for_owner(self, schedule_id: UUID, owner_id: int, *, for_update: bool = False) -> Schedule | None: ...

    def running_from(self, report_id: UUID) -> list[UUID]:
        """The schedules whose source is the report, oldest first."""

    def list_for_owner(self, owner_id: int, *, after: JobCursor | None = None, limit: int = 50) -> list[Schedule]:
        """Newest first (by created_at, then id), strictly after `after` in that order."""

    def next_due(self, now: datetime) -> Schedule | None:
        """The enabled schedule whose next run is the most overdue at `now` (Schedule.is_due),
        locked; schedules locked elsewhere are skipped."""

    def add_run(self, run: ScheduledRun) -> None:
        """Raises DuplicateScheduledRun when the schedule already ran for that tick."""

    def runs(self, schedule_id: UUID) -> list[ScheduledRun]:
        """Its run records, by tick."""


class SchedulerLeaseRepository(Protocol):
    def get(self, name: str, *, for_update: bool = False) -> SchedulerLease:
        """The lease (a vacant one if it was never taken), optionally locked."""

    def save(self, lease: SchedulerLease) -> None: ...
