"""What the schedule use cases return: read models, never entities or ORM records."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.jobs.read_models import ReadModel
from domain.cron import timezone_named
from domain.schedule import Schedule


class ScheduleView(ReadModel):
    id: UUID
    name: str
    report_id: UUID
    cron: str
    timezone: str
    enabled: bool
    disabled_reason: str
    next_run_at: datetime | None
    next_run_local: datetime | None  # the same instant on the schedule's own clock
    last_run_at: datetime | None
    last_job_id: UUID | None
    runs: int
    skipped_ticks: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleView:
        zone = timezone_named(schedule.timezone)
        return cls(
            id=schedule.id,
            name=schedule.name,
            report_id=schedule.report_id,
            cron=schedule.cron.text,
            timezone=schedule.timezone,
            enabled=schedule.enabled,
            disabled_reason=schedule.disabled_reason,
            next_run_at=schedule.next_run_at,
            next_run_local=schedule.next_run_at.astimezone(zone) if schedule.next_run_at else None,
            last_run_at=schedule.last_run_at,
            last_job_id=schedule.last_job_id,
            runs=schedule.runs,
            skipped_ticks=schedule.skipped_ticks,
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
        )


class SchedulePage(ReadModel):
    items: list[ScheduleView]
    next_cursor: str | None
