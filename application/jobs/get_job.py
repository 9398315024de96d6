"""One job, with its audit trail on request; owner-scoped."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application.errors import NotFound
from application.jobs.disclosure import worker_of
from application.jobs.read_models import JobEventView, JobView
from domain.ports import UnitOfWork


class GetJob(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    job_id: UUID
    is_staff: bool = False  # staff also see internals: tracebacks, worker hosts (not other owners' jobs)


class GetJobHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetJob) -> JobView:
        """Raises NotFound, also for another owner's job."""
        with self._uow as uow:
            job = uow.jobs.get_for_owner(query.job_id, query.owner_id)
        if job is None:
            raise NotFound("job", query.job_id)
        return JobView.of(job, internals=query.is_staff)


class GetJobEventsHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetJob) -> list[JobEventView]:
        """Raises NotFound, also for another owner's job."""
        with self._uow as uow:
            job = uow.jobs.get_for_owner(query.job_id, query.owner_id)
            if job is None:
                raise NotFound("job", query.job_id)
            events = uow.jobs.events(job.id)
        workers = {job.worker} | {worker_of(event.actor) or "" for event in events}
        return [JobEventView.of(event, internals=query.is_staff, workers=workers) for event in events]
