"""Run one attempt of a report job, acting only on persisted state.

A delivery for an attempt the job is not waiting for (duplicate, stale, already terminal)
is a no-op. The job is claimed (running, with a lease) in one transaction and finished in
another, so a long computation holds no lock. While it runs, a heartbeat renews the lease;
at each checkpoint the attempt stops if the job was cancelled or handed to another worker.
"""

from __future__ import annotations

import enum
import traceback
from datetime import timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application import actors
from application.engine_settings import JobEngineSettings
from application.outbox_dispatcher import OutboxDispatcher
from domain.errors import AttemptAborted, JobError, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import BlobStore, Clock, Delivery, Heartbeat, ReportAnalyzer, UnitOfWork


class ProcessReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: UUID
    attempt: int = Field(ge=1)
    worker: str = Field(min_length=1)


class Outcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    RETRY_SCHEDULED = "retry_scheduled"
    FAILED = "failed"
    DEAD = "dead"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not the delivery the job waits for: duplicate, stale or terminal
    SUPERSEDED = "superseded"  # the job changed while this attempt ran (cancelled, reconciled)
    NOT_FOUND = "not_found"


class ProcessOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    job_id: UUID
    attempt: int
    detail: str = ""


_FINAL_OUTCOMES = {
    JobStatus.SUCCEEDED: Outcome.SUCCEEDED,
    JobStatus.FAILED: Outcome.FAILED,
    JobStatus.DEAD: Outcome.DEAD,
    JobStatus.RETRYING: Outcome.RETRY_SCHEDULED,
    JobStatus.CANCELLED: Outcome.CANCELLED,
}


def schedule_next_attempt(uow: UnitOfWork, job: Job, *, now: Any) -> int | None:
    """If the job now waits for an attempt, record its delivery in the outbox."""
    if job.status not in (JobStatus.QUEUED, JobStatus.RETRYING) or job.next_attempt_at is None:
        return None
    delivery = Delivery(job_id=job.id, kind=job.kind, attempt=job.attempts + 1, queue=job.queue)
    return uow.outbox.add(delivery, available_at=job.next_attempt_at, now=now)


class ProcessReportHandler:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        blobs: BlobStore,
        analyzer: ReportAnalyzer,
        heartbeat: Heartbeat,
        dispatcher: OutboxDispatcher,
        clock: Clock,
        engine: JobEngineSettings,
    ) -> None:
        self._uow = uow
        self._blobs = blobs
        self._analyzer = analyzer
        self._heartbeat = heartbeat
        self._dispatcher = dispatcher
        self._clock = clock
        self._engine = engine

    def __call__(self, cmd: ProcessReport) -> ProcessOutcome:
        claimed = self._claim(cmd)
        if isinstance(claimed, ProcessOutcome):
            return claimed
        result: dict[str, Any] | None = None
        error: JobError | None = None
        detail = ""
        try:
            with (
                self._heartbeat.keep_alive(cmd.job_id, cmd.attempt, lease_seconds=self._engine.lease_seconds) as lease,
                self._blobs.open(claimed) as content,
            ):
                result = self._analyzer.analyze(content, checkpoint=lease.checkpoint)
        except AttemptAborted as exc:
            error = TransientError(f"attempt aborted: {exc}")
        except JobError as exc:
            error, detail = exc, _traceback(exc)
        except Exception as exc:  # an unforeseen failure may be infrastructure: retry it, bounded
            error, detail = TransientError(f"{type(exc).__name__}: {exc}"), _traceback(exc)
        return self._finish(cmd, result, error, detail)

    def _claim(self, cmd: ProcessReport) -> str | ProcessOutcome:
        """Move the job to running for this attempt; the blob key to read, or why not."""
        with self._uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            report = uow.reports.get_by_job(cmd.job_id) if job else None
            if job is None or report is None:
                return ProcessOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)
            if not job.accepts_delivery(cmd.attempt):
                return ProcessOutcome(
                    outcome=Outcome.SKIPPED,
                    job_id=job.id,
                    attempt=cmd.attempt,
                    detail=f"job is {job.status} at attempt {job.attempts}",
                )
            job.start(now=self._clock.now(), worker=cmd.worker, lease_seconds=self._engine.lease_seconds)
            uow.jobs.save(job)
            uow.commit()
            return report.blob_key

    def _finish(
        self, cmd: ProcessReport, result: dict[str, Any] | None, error: JobError | None, detail: str
    ) -> ProcessOutcome:
        actor = actors.worker(cmd.worker)
        with self._uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            if job is None or job.status != JobStatus.RUNNING or job.attempts != cmd.attempt:
                return ProcessOutcome(outcome=Outcome.SUPERSEDED, job_id=cmd.job_id, attempt=cmd.attempt)
            now = self._clock.now()
            entry: int | None = None
            if error is None:
                report = uow.reports.get_by_job(job.id)
                if report is None or result is None:
                    raise RuntimeError(f"job {job.id} finished without a report or a result")
                report.complete(result, now=now)
                uow.reports.save(report)
                job.succeed(now=now, actor=actor)
            else:
                retry_at = now + timedelta(seconds=self._engine.retry.delay_for(job.attempts))
                job.fail_attempt(error, now=now, retry_at=retry_at, actor=actor, detail=detail)
                entry = schedule_next_attempt(uow, job, now=now)
            uow.jobs.save(job)
            uow.commit()
        if entry is not None and job.next_attempt_at and job.next_attempt_at <= self._clock.now():
            self._dispatcher.publish([entry])
        return ProcessOutcome(outcome=_FINAL_OUTCOMES[job.status], job_id=job.id, attempt=cmd.attempt, detail=job.error)


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-8000:]
