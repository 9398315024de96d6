"""Reading schedules: one, the owner's list, and a schedule's runs (the jobs it started)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.errors import NotFound
from application.jobs.cursor import decode_cursor, encode_cursor, page_of
from application.jobs.read_models import JobPage
from application.reports.kinds import REPORT_JOB_KIND
from application.schedules.read_models import SchedulePage, ScheduleView
from domain.ports import JobCursor, UnitOfWork


class GetSchedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    schedule_id: UUID


class ListSchedules(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class ListScheduleRuns(GetSchedule):
    is_staff: bool = False  # staff also see the jobs' internals
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class GetScheduleHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetSchedule) -> ScheduleView:
        """Raises NotFound, also for another owner's schedule."""
        with self._uow as uow:
            schedule = uow.schedules.get_for_owner(query.schedule_id, query.owner_id)
        if schedule is None:
            raise NotFound("schedule", query.schedule_id)
        return ScheduleView.of(schedule)


class ListSchedulesHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: ListSchedules) -> SchedulePage:
        """Newest first. Raises InvalidCursor for a cursor we did not hand out."""
        after = decode_cursor(query.cursor) if query.cursor else None
        with self._uow as uow:
            schedules = uow.schedules.list_for_owner(query.owner_id, after=after, limit=query.limit + 1)
        page, more = schedules[: query.limit], len(schedules) > query.limit
        last = page[-1] if more else None
        return SchedulePage(
            items=[ScheduleView.of(s) for s in page],
            next_cursor=encode_cursor(JobCursor(created_at=last.created_at, job_id=last.id)) if last else None,
        )


class ListScheduleRunsHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: ListScheduleRuns) -> JobPage:
        """The report jobs the schedule started, newest first. Raises NotFound, InvalidCursor."""
        after = decode_cursor(query.cursor) if query.cursor else None
        with self._uow as uow:
            if uow.schedules.get_for_owner(query.schedule_id, query.owner_id) is None:
                raise NotFound("schedule", query.schedule_id)
            jobs = uow.jobs.list_for_owner(
                query.owner_id, kind=REPORT_JOB_KIND, schedule_id=query.schedule_id, after=after, limit=query.limit + 1
            )
        return page_of(jobs, query.limit, internals=query.is_staff)
