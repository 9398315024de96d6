"""Running one attempt of any job: claim it, keep its lease alive, record how it ended.

A delivery for an attempt the job is not waiting for (duplicate, stale, already terminal)
is a no-op. The job is claimed (running, with a lease) in one transaction and finished in
another, so long work holds no lock. While the work runs a heartbeat renews the lease; at
each checkpoint the work stops if the job was cancelled or handed to another worker.
"""

from __future__ import annotations

import enum
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application import actors
from application.engine_settings import JobEngineSettings
from application.outbox_dispatcher import OutboxDispatcher
from domain.errors import AttemptAborted, JobError, PermanentError, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Checkpoint, Clock, Delivery, Heartbeat, UnitOfWork

T = TypeVar("T")


class RunAttempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: UUID
    attempt: int = Field(ge=1)
    worker: str = Field(min_length=1)


class Outcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FANNED_OUT = "fanned_out"
    RETRY_SCHEDULED = "retry_scheduled"
    FAILED = "failed"
    DEAD = "dead"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not the delivery the job waits for: duplicate, stale or terminal
    SUPERSEDED = "superseded"  # the job changed while this attempt ran (cancelled, reconciled)
    NOT_FOUND = "not_found"


class AttemptOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    job_id: UUID
    attempt: int
    detail: str = ""


_OUTCOME_OF_STATUS = {
    JobStatus.SUCCEEDED: Outcome.SUCCEEDED,
    JobStatus.RUNNING: Outcome.FANNED_OUT,
    JobStatus.FAILED: Outcome.FAILED,
    JobStatus.DEAD: Outcome.DEAD,
    JobStatus.RETRYING: Outcome.RETRY_SCHEDULED,
    JobStatus.CANCELLED: Outcome.CANCELLED,
}

# records the work's success inside the finishing transaction; returns outbox entries to publish
OnSuccess = Callable[[UnitOfWork, Job, datetime], list[int]]


def schedule_next_attempt(uow: UnitOfWork, job: Job, *, now: datetime) -> int | None:
    """If the job now waits for an attempt, record its delivery in the outbox."""
    if job.status not in (JobStatus.QUEUED, JobStatus.RETRYING) or job.next_attempt_at is None:
        return None
    delivery = Delivery(job_id=job.id, kind=job.kind, attempt=job.attempts + 1, queue=job.queue)
    return uow.outbox.add(delivery, available_at=job.next_attempt_at, now=now)


class Attempt(Generic[T]):
    """The work's result or the error that ended it."""

    def __init__(self) -> None:
        self.value: T | None = None
        self.error: JobError | None = None
        self.detail = ""


class AttemptRunner:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        heartbeat: Heartbeat,
        dispatcher: OutboxDispatcher,
        clock: Clock,
        engine: JobEngineSettings,
    ) -> None:
        self.uow = uow
        self._heartbeat = heartbeat
        self.dispatcher = dispatcher
        self.clock = clock
        self.engine = engine

    def claim(self, cmd: RunAttempt) -> Job | AttemptOutcome:
        """Move the job to running for this attempt, or say why not."""
        with self.uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            if job is None:
                return AttemptOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)
            if not job.accepts_delivery(cmd.attempt):
                detail = f"job is {job.status} at attempt {job.attempts}"
                return AttemptOutcome(outcome=Outcome.SKIPPED, job_id=job.id, attempt=cmd.attempt, detail=detail)
            job.start(now=self.clock.now(), worker=cmd.worker, lease_seconds=self.engine.lease_seconds)
            uow.jobs.save(job)
            uow.commit()
        return job

    def work(self, cmd: RunAttempt, work: Callable[[Checkpoint], T]) -> Attempt[T]:
        """Run `work` under the attempt's lease; catch what ended it."""
        attempt: Attempt[T] = Attempt()
        try:
            with self._heartbeat.keep_alive(cmd.job_id, cmd.attempt, lease_seconds=self.engine.lease_seconds) as lease:
                attempt.value = work(lease.checkpoint)
        except AttemptAborted as exc:
            attempt.error = TransientError(f"attempt aborted: {exc}")
        except JobError as exc:
            attempt.error, attempt.detail = exc, _traceback(exc)
        except Exception as exc:  # an unforeseen failure may be infrastructure: retry it, bounded
            attempt.error, attempt.detail = TransientError(f"{type(exc).__name__}: {exc}"), _traceback(exc)
        return attempt

    def finish(self, cmd: RunAttempt, attempt: Attempt[Any], on_success: OnSuccess) -> AttemptOutcome:
        """Record how the attempt ended, if the job still belongs to it."""
        entries: list[int] = []
        with self.uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            if job is None or job.status != JobStatus.RUNNING or job.attempts != cmd.attempt or job.is_fanned_out:
                return AttemptOutcome(outcome=Outcome.SUPERSEDED, job_id=cmd.job_id, attempt=cmd.attempt)
            now = self.clock.now()
            if attempt.error is None:
                entries += on_success(uow, job, now)
            else:
                retry_at = now + timedelta(seconds=self.engine.retry.delay_for(job.attempts))
                job.fail_attempt(
                    attempt.error, now=now, retry_at=retry_at, actor=actors.worker(cmd.worker), detail=attempt.detail
                )
                entry = schedule_next_attempt(uow, job, now=now)
                entries += [entry] if entry is not None else []
                if job.parent_id is not None and job.is_terminal:
                    end_parent_with_child(uow, job, now=now)
            uow.jobs.save(job)
            uow.commit()
        if entries:
            self.dispatcher.publish(entries)
        return AttemptOutcome(
            outcome=_OUTCOME_OF_STATUS[job.status], job_id=job.id, attempt=cmd.attempt, detail=job.error
        )


def of_current_plan(child: Job, parent: Job) -> bool:
    """True when the child belongs to the parent's current attempt: a replayed parent plans
    anew, and the children of its earlier plan no longer count."""
    return parent.is_fanned_out and child.payload.get("parent_attempt") == parent.attempts


def end_parent_with_child(uow: UnitOfWork, child: Job, *, now: datetime) -> None:
    """A child that ended without success ends its parent the same way, and its siblings."""
    parent = uow.jobs.get(child.parent_id, for_update=True) if child.parent_id else None
    if parent is None or not of_current_plan(child, parent):
        return
    reason = f"{child.kind} {child.id} ended {child.status}: {child.error}"
    if child.status == JobStatus.DEAD:
        parent.give_up(TransientError(reason), now=now, actor=actors.SYSTEM, detail=child.error_detail)
    elif child.status == JobStatus.FAILED:
        parent.fail(PermanentError(child.error), now=now, actor=actors.SYSTEM, detail=child.error_detail)
    else:
        parent.cancel(now=now, actor=actors.SYSTEM, reason=reason)
    uow.jobs.save(parent)
    cancel_children(uow, parent, now=now, skip=child.id)


def cancel_children(uow: UnitOfWork, parent: Job, *, now: datetime, skip: UUID | None = None) -> None:
    """Stop the children still waiting or running: their parent no longer needs them."""
    for sibling in uow.jobs.children(parent.id, for_update=True):
        if sibling.id != skip and not sibling.is_terminal:
            sibling.request_cancel(now=now, actor=actors.SYSTEM)
            uow.jobs.save(sibling)


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-8000:]
