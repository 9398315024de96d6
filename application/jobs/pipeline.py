"""The attempt pipeline: how every job kind runs one attempt.

1. Claim, in one transaction: lock the job, check that this delivery is the one it waits
   for, start the attempt (running, with a lease) and let the kind's handler load what the
   work needs. A delivery that is not awaited (duplicate, stale, terminal) changes nothing;
   a job whose input is gone fails at once.
2. Work, outside any transaction, under the lease; checkpoints report progress and stop the
   work when the job was cancelled, handed on, or its worker is stopping.
3. Record, in one transaction, if the job still belongs to this attempt: the handler stores
   what the work produced and moves the job on, or the error decides between retry, dead,
   failed and cancelled. A worker that stops hands the job back without using up an attempt.
"""

from __future__ import annotations

import enum
import logging
import time
import traceback
from datetime import timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application import actors
from application.jobs.registry import JobHandler, UnknownJobKind
from application.jobs.settings import JobSettings
from application.jobs.transition import JobTransitions
from domain.errors import (
    AttemptAborted,
    AttemptHandedBack,
    ConcurrentUpdate,
    JobError,
    PermanentError,
    TransientError,
)
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Clock, Heartbeat, UnitOfWork

logger = logging.getLogger(__name__)


class RunAttempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: UUID
    attempt: int = Field(ge=1)
    worker: str = Field(min_length=1)


class Outcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FANNED_OUT = "fanned_out"
    RETRY_SCHEDULED = "retry_scheduled"
    HANDED_BACK = "handed_back"
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
    # how long each step took, for the worker's log and metrics (0: the attempt ended before it)
    claim_seconds: float = 0.0
    work_seconds: float = 0.0
    record_seconds: float = 0.0


_OUTCOME_OF_STATUS = {
    JobStatus.SUCCEEDED: Outcome.SUCCEEDED,
    JobStatus.RUNNING: Outcome.FANNED_OUT,
    JobStatus.FAILED: Outcome.FAILED,
    JobStatus.DEAD: Outcome.DEAD,
    JobStatus.RETRYING: Outcome.RETRY_SCHEDULED,
    JobStatus.CANCELLED: Outcome.CANCELLED,
}


class _Claimed:
    def __init__(self, job: Job, handler: JobHandler[Any, Any], loaded: Any) -> None:
        self.job, self.handler, self.loaded = job, handler, loaded


class _Worked:
    """What the work produced, or the error that ended it."""

    def __init__(self) -> None:
        self.value: Any = None
        self.error: JobError | None = None
        self.detail = ""
        self.exception: BaseException | None = None
        self.handed_back = ""


class AttemptPipeline:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        heartbeat: Heartbeat,
        transitions: JobTransitions,
        clock: Clock,
        settings: JobSettings,
        time_limit_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        self._uow = uow
        self._heartbeat = heartbeat
        self._transitions = transitions
        self._clock = clock
        self._settings = settings
        # what the execution side raises in the work when an attempt runs past its soft limit
        self._time_limit_errors = time_limit_errors

    def __call__(self, cmd: RunAttempt) -> AttemptOutcome:
        started = time.perf_counter()
        claimed = self._claim(cmd)
        claimed_at = time.perf_counter()
        if isinstance(claimed, AttemptOutcome):
            return claimed.model_copy(update={"claim_seconds": claimed_at - started})
        worked = self._work(cmd, claimed)
        worked_at = time.perf_counter()
        outcome = self._record(cmd, claimed, worked)
        steps = {"claim_seconds": claimed_at - started, "work_seconds": worked_at - claimed_at}
        return outcome.model_copy(update={**steps, "record_seconds": time.perf_counter() - worked_at})

    def _claim(self, cmd: RunAttempt) -> _Claimed | AttemptOutcome:
        with self._uow as uow:
            job = uow.jobs.get(cmd.job_id, for_update=True)
            if job is None:
                return AttemptOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)
            if not job.accepts_delivery(cmd.attempt):
                detail = f"job is {job.status} at attempt {job.attempts}"
                return AttemptOutcome(outcome=Outcome.SKIPPED, job_id=job.id, attempt=cmd.attempt, detail=detail)
            try:
                handler = self._transitions.kinds.handler(job.kind)
            except UnknownJobKind as exc:  # a newer worker may know it: leave the job waiting
                return AttemptOutcome(outcome=Outcome.SKIPPED, job_id=job.id, attempt=cmd.attempt, detail=str(exc))
            now = self._clock.now()
            transition = self._transitions.begin(uow, now=now, actor=actors.worker(cmd.worker))
            job.start(now=now, worker=cmd.worker, lease_seconds=self._settings.lease_seconds)
            try:
                loaded = handler.load(uow, job)
            except JobError as exc:  # what the job works on is gone: no attempt can succeed
                job.fail_attempt(exc, now=now, retry_at=now, actor=transition.actor)
                transition.schedule(job)
                transition.save(job)
                transition.commit()
                return self._outcome(job, cmd)
            transition.save(job)
            # A start lost in a database crash is recovered without it: this delivery stays
            # unacknowledged until the attempt ends (its record then fails and it is tried
            # again, or the reconciler sends it again), and the record's durable commit puts
            # the start on disk first. So the start does not wait for the disk.
            uow.relax_durability()
            # the owner's next jobs this start admits: jobs of the owner already wait in the
            # broker, so this attempt starts its work without waiting for their doorbell
            transition.commit(wait_for_publish=False)
        return _Claimed(job, handler, loaded)

    def _work(self, cmd: RunAttempt, claimed: _Claimed) -> _Worked:
        worked = _Worked()
        try:
            with self._heartbeat.keep_alive(
                cmd.job_id, cmd.attempt, lease_seconds=self._settings.lease_seconds
            ) as lease:
                worked.value = claimed.handler.work(claimed.job, claimed.loaded, lease.checkpoint)
        except AttemptHandedBack as exc:
            worked.handed_back = str(exc)
        except AttemptAborted as exc:
            worked.error = TransientError(f"attempt aborted: {exc}")
        except JobError as exc:
            worked.error, worked.detail = exc, _traceback(exc)
            worked.exception = exc
        except self._time_limit_errors as exc:
            worked.error = TransientError(f"the attempt ran past its time limit ({type(exc).__name__})")
            worked.detail = _traceback(exc)
            worked.exception = exc
        except MemoryError as exc:  # the same input would exhaust the same budget again
            worked.error = PermanentError("the attempt ran out of memory: the input needs more than a worker may use")
            worked.detail = _traceback(exc)
            worked.exception = exc
        except Exception as exc:  # an unforeseen failure may be infrastructure: retry it, bounded
            worked.error, worked.detail = TransientError(f"{type(exc).__name__}: {exc}"), _traceback(exc)
            worked.exception = exc
        if worked.detail:  # the traceback goes to the worker's log too; clients never see it
            logger.warning(
                "attempt %s of job %s failed: %s", cmd.attempt, cmd.job_id, worked.error, exc_info=worked.exception
            )
        return worked

    def _record(self, cmd: RunAttempt, claimed: _Claimed, worked: _Worked) -> AttemptOutcome:
        """Record on the job as claimed, saved by compare-and-set without reading it again (the
        common case: nothing happened to it meanwhile); if it changed (cancel requested, handed
        on), everything rolls back and the outcome is decided again on the job as it now is,
        read again (the claimed one, changed by the first try, is not used again)."""
        try:
            return self._finish(cmd, claimed, worked, as_claimed=claimed.job)
        except ConcurrentUpdate:
            return self._finish(cmd, claimed, worked, as_claimed=None)

    def _finish(self, cmd: RunAttempt, claimed: _Claimed, worked: _Worked, *, as_claimed: Job | None) -> AttemptOutcome:
        with self._uow as uow:
            job = as_claimed or uow.jobs.get(cmd.job_id, for_update=True)
            if job is None or job.status != JobStatus.RUNNING or job.attempts != cmd.attempt or job.is_fanned_out:
                return AttemptOutcome(outcome=Outcome.SUPERSEDED, job_id=cmd.job_id, attempt=cmd.attempt)
            now = self._clock.now()
            transition = self._transitions.begin(uow, now=now, actor=actors.worker(cmd.worker))
            handed_back = bool(worked.handed_back) and not job.cancel_requested
            if handed_back:
                job.hand_back(now=now, actor=transition.actor, reason=worked.handed_back)
            elif worked.handed_back or worked.error is not None:
                error = worked.error or TransientError(f"attempt aborted: {worked.handed_back}")
                retry_at = now + timedelta(seconds=self._settings.retry.delay_for(job.attempts))
                job.fail_attempt(error, now=now, retry_at=retry_at, actor=transition.actor, detail=worked.detail)
            else:
                claimed.handler.record(transition, job, claimed.loaded, worked.value)
            transition.save(job)
            transition.schedule(job)
            transition.commit()
        if handed_back:
            return AttemptOutcome(
                outcome=Outcome.HANDED_BACK, job_id=job.id, attempt=cmd.attempt, detail=worked.handed_back
            )
        return self._outcome(job, cmd)

    @staticmethod
    def _outcome(job: Job, cmd: RunAttempt) -> AttemptOutcome:
        return AttemptOutcome(
            outcome=_OUTCOME_OF_STATUS[job.status], job_id=job.id, attempt=cmd.attempt, detail=job.error
        )


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-8000:]
