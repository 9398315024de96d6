"""The owner's jobs, newest first, one page at a time (keyset pagination)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.jobs.cursor import decode_cursor, page_of
from application.jobs.read_models import JobPage
from domain.job_status import JobStatus
from domain.ports import UnitOfWork


class ListJobs(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    is_staff: bool = False  # staff also see internals: tracebacks, worker hosts (not other owners' jobs)
    status: JobStatus | None = None
    kind: str | None = None
    parent_id: UUID | None = None
    schedule_id: UUID | None = None
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class ListJobsHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: ListJobs) -> JobPage:
        """Raises InvalidCursor for a cursor we did not hand out."""
        after = decode_cursor(query.cursor) if query.cursor else None
        with self._uow as uow:
            jobs = uow.jobs.list_for_owner(
                query.owner_id,
                status=query.status,
                kind=query.kind,
                parent_id=query.parent_id,
                schedule_id=query.schedule_id,
                after=after,
                limit=query.limit + 1,
            )
        return page_of(jobs, query.limit, internals=query.is_staff)
