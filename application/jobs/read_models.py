"""What the job use cases return: plain pydantic read models, never entities or ORM records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application.jobs.disclosure import client_actor, client_data, client_text, worker_of
from domain.job import Job
from domain.job_event import JobEvent
from domain.job_status import JobStatus


class ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class JobView(ReadModel):
    id: UUID
    kind: str
    status: JobStatus
    attempts: int
    max_attempts: int
    progress: float
    queue: str
    error: str
    # the traceback of the last failure: staff only (None for everyone else)
    error_detail: str | None
    cancel_requested: bool
    parent_id: UUID | None
    # the report the job works for: report jobs and their chunks and merge carry it in their payload
    report_id: UUID | None
    # the schedule whose run this job is, and the tick it ran for (scheduled runs carry both);
    # defaults, so the responses that Idempotency-Keys stored before they existed still read
    schedule_id: UUID | None = None
    scheduled_for: datetime | None = None
    children_total: int
    children_done: int
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None
    lease_expires_at: datetime | None

    @classmethod
    def of(cls, job: Job, *, internals: bool) -> JobView:
        """The job as staff see it (`internals`), or as any other client: see disclosure."""
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            progress=job.progress,
            queue=job.queue,
            error=job.error if internals else client_text(job.error, workers=[job.worker]),
            error_detail=job.error_detail if internals else None,
            cancel_requested=job.cancel_requested,
            parent_id=job.parent_id,
            report_id=job.payload.get("report_id"),
            schedule_id=job.payload.get("schedule_id"),
            scheduled_for=job.payload.get("scheduled_for"),
            children_total=job.children_total,
            children_done=job.children_done,
            created_at=job.created_at,
            updated_at=job.updated_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            next_attempt_at=job.next_attempt_at,
            lease_expires_at=job.lease_expires_at,
        )


class JobPage(ReadModel):
    items: list[JobView]
    next_cursor: str | None


class JobEventView(ReadModel):
    seq: int
    from_status: JobStatus | None
    to_status: JobStatus
    attempt: int
    actor: str
    at: datetime
    message: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: JobEvent, *, internals: bool, workers: Iterable[str] = ()) -> JobEventView:
        """The event as staff see it (`internals`), or with the `workers` named in the job's
        trail (and the event's own) hidden from its actor, message and data."""
        names = [*workers, worker_of(event.actor) or ""]
        return cls(
            seq=event.seq,
            from_status=event.from_status,
            to_status=event.to_status,
            attempt=event.attempt,
            actor=event.actor if internals else client_actor(event.actor),
            at=event.at,
            message=event.message if internals else client_text(event.message, workers=names),
            data=event.data if internals else client_data(event.data, workers=names),
        )
