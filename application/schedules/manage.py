"""What an owner does with a schedule: create, change, delete it. Another owner's schedule or
report is not found."""

from __future__ import annotations

import uuid
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.errors import NotFound
from application.schedules.read_models import ScheduleView
from domain.ports import Clock, UnitOfWork
from domain.schedule import Schedule


class CreateSchedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    report_id: UUID  # the source report: its upload and declared schema are reused by every run
    cron: str = Field(max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    name: str = Field(default="", max_length=255)  # empty: the source report's name
    enabled: bool = True


class ChangeSchedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    schedule_id: UUID
    cron: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=255)
    enabled: bool | None = None


class DeleteSchedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    schedule_id: UUID


class CreateScheduleHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock  # the schedules' clock

    def __call__(self, cmd: CreateSchedule) -> ScheduleView:
        """Raises NotFound for a report that is not the owner's; InvalidCron, InvalidTimezone."""
        with self._uow as uow:
            report = uow.reports.get_for_owner(cmd.report_id, cmd.owner_id)
            if report is None:
                raise NotFound("report", cmd.report_id)
            schedule = Schedule.create(
                id=uuid.uuid4(),
                owner_id=cmd.owner_id,
                report_id=report.id,
                name=cmd.name or report.name,
                cron=cmd.cron,
                timezone=cmd.timezone,
                enabled=cmd.enabled,
                now=self._clock.now(),
            )
            uow.schedules.add(schedule)
            uow.commit()
        return ScheduleView.of(schedule)


class ChangeScheduleHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock  # the schedules' clock

    def __call__(self, cmd: ChangeSchedule) -> ScheduleView:
        """Raises NotFound; InvalidCron, InvalidTimezone (nothing changes then)."""
        with self._uow as uow:
            schedule = uow.schedules.get_for_owner(cmd.schedule_id, cmd.owner_id, for_update=True)
            if schedule is None:
                raise NotFound("schedule", cmd.schedule_id)
            schedule.change(
                now=self._clock.now(), name=cmd.name, cron=cmd.cron, timezone=cmd.timezone, enabled=cmd.enabled
            )
            uow.schedules.save(schedule)
            uow.commit()
        return ScheduleView.of(schedule)


class DeleteScheduleHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: DeleteSchedule) -> None:
        """Its runs' reports and jobs stay. Raises NotFound."""
        with self._uow as uow:
            if uow.schedules.get_for_owner(cmd.schedule_id, cmd.owner_id, for_update=True) is None:
                raise NotFound("schedule", cmd.schedule_id)
            uow.schedules.delete(cmd.schedule_id)
            uow.commit()
