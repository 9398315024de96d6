"""The dead-letter queue: jobs that used up their attempts, newest first."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.jobs.cursor import decode_cursor, page_of
from application.jobs.read_models import JobPage
from domain.ports import UnitOfWork


class ListDeadLetters(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    is_staff: bool = False  # staff see every owner's dead letters, with their internals
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class ListDeadLettersHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: ListDeadLetters) -> JobPage:
        after = decode_cursor(query.cursor) if query.cursor else None
        with self._uow as uow:
            jobs = uow.jobs.list_dead_letters(
                None if query.is_staff else query.owner_id, after=after, limit=query.limit + 1
            )
        return page_of(jobs, query.limit, internals=query.is_staff)
