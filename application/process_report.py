"""Run one attempt of a report job, acting only on persisted state.

A delivery for an attempt the job is not waiting for (duplicate, stale, already terminal)
is a no-op. The job is claimed (running) in one transaction and finished in another, so a
long computation holds no lock, and a job cancelled meanwhile is not overwritten.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application import actors
from application.retry_policy import RetryPolicy
from domain.errors import JobError, TransientError
from domain.job_status import JobStatus
from domain.ports import BlobStore, Clock, Delivery, ReportAnalyzer, TaskQueue, UnitOfWork


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
    SKIPPED = "skipped"  # not the delivery the job waits for: duplicate, stale or terminal
    SUPERSEDED = "superseded"  # the job changed while this attempt ran (e.g. cancelled)
    NOT_FOUND = "not_found"


class ProcessOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    job_id: UUID
    attempt: int
    detail: str = ""
    retry_in_seconds: float | None = None


_FINAL_OUTCOMES = {
    JobStatus.SUCCEEDED: Outcome.SUCCEEDED,
    JobStatus.FAILED: Outcome.FAILED,
    JobStatus.DEAD: Outcome.DEAD,
    JobStatus.RETRYING: Outcome.RETRY_SCHEDULED,
}


class ProcessReportHandler:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        blobs: BlobStore,
        analyzer: ReportAnalyzer,
        queue: TaskQueue,
        clock: Clock,
        retry_policy: RetryPolicy,
    ) -> None:
        self._uow = uow
        self._blobs = blobs
        self._analyzer = analyzer
        self._queue = queue
        self._clock = clock
        self._retry_policy = retry_policy

    def __call__(self, cmd: ProcessReport) -> ProcessOutcome:
        claimed = self._claim(cmd)
        if isinstance(claimed, ProcessOutcome):
            return claimed
        result: dict[str, Any] | None = None
        error: JobError | None = None
        try:
            with self._blobs.open(claimed) as content:
                result = self._analyzer.analyze(content)
        except JobError as exc:
            error = exc
        except Exception as exc:  # an unforeseen failure may be infrastructure: retry it, bounded
            error = TransientError(f"{type(exc).__name__}: {exc}")
        return self._finish(cmd, result, error)

    def _claim(self, cmd: ProcessReport) -> str | ProcessOutcome:
        """Move the job to running for this attempt; the blob key to read, or why not."""
        with self._uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            if job is None:
                return ProcessOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)
            if not job.accepts_delivery(cmd.attempt):
                return ProcessOutcome(
                    outcome=Outcome.SKIPPED,
                    job_id=job.id,
                    attempt=cmd.attempt,
                    detail=f"job is {job.status} at attempt {job.attempts}",
                )
            report = uow.reports.get_by_job(job.id)
            if report is None:
                return ProcessOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)
            job.start(now=self._clock.now(), worker=cmd.worker)
            uow.jobs.save(job)
            uow.commit()
            return report.blob_key

    def _finish(self, cmd: ProcessReport, result: dict[str, Any] | None, error: JobError | None) -> ProcessOutcome:
        actor = actors.worker(cmd.worker)
        with self._uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            if job is None or job.status != JobStatus.RUNNING or job.attempts != cmd.attempt:
                return ProcessOutcome(outcome=Outcome.SUPERSEDED, job_id=cmd.job_id, attempt=cmd.attempt)
            now = self._clock.now()
            retry_in: float | None = None
            if error is None:
                report = uow.reports.get_by_job(job.id)
                if report is None or result is None:
                    raise RuntimeError(f"job {job.id} finished without a report or a result")
                report.complete(result, now=now)
                uow.reports.save(report)
                job.succeed(now=now, actor=actor)
            else:
                retry_in = self._retry_policy.delay_for(job.attempts)
                outcome = job.fail_attempt(error, now=now, retry_at=now + timedelta(seconds=retry_in), actor=actor)
                if outcome == JobStatus.RETRYING:
                    delivery = Delivery(
                        job_id=job.id, kind=job.kind, attempt=job.attempts + 1, queue=job.queue, delay_seconds=retry_in
                    )
                    uow.after_commit(lambda: self._queue.enqueue(delivery))
                else:
                    retry_in = None
            uow.jobs.save(job)
            uow.commit()
            return ProcessOutcome(
                outcome=_FINAL_OUTCOMES[job.status],
                job_id=job.id,
                attempt=cmd.attempt,
                detail=job.error,
                retry_in_seconds=retry_in,
            )
