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

A brief attempt (its handler says the work is short, e.g. a small report) on the first
delivery of its attempt runs all three in the claim's transaction instead: the job's row
stays locked while the work runs, and the start is written with the end, in one commit.
That saves the start's writes and commit (a third of a small job's time) and keeps every
guarantee: a duplicate delivery waits on the lock and then finds the job done, and a crash
in the work rolls the start back, so the job waits for its redelivery as if it never began.
A redelivery (by the broker after a lost worker, by the task after a database error, or by
the reconciler) is never brief: its start is committed first, so an input that kills its
worker uses up attempts and ends dead instead of killing workers for ever. Nor does a brief
attempt stay brief for long: once it has run for `cancel_check_seconds` (as long as an
ordinary attempt goes without reading its job back for a cancel), its next checkpoint
commits its start, and it goes on as an ordinary attempt, under a lease kept alive.
"""

from __future__ import annotations

import enum
import logging
import time
import traceback
from contextlib import AbstractContextManager, ExitStack
from datetime import datetime, timedelta
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
from domain.ports import Clock, Heartbeat, Lease, UnitOfWork

logger = logging.getLogger(__name__)


class RunAttempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: UUID
    attempt: int = Field(ge=1)
    worker: str = Field(min_length=1)
    # no earlier delivery of this attempt reached a worker (the broker did not redeliver it, the
    # task did not retry it): only then may a brief attempt run in one transaction
    first_delivery: bool = False


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
    def __init__(self, job: Job, handler: JobHandler[Any, Any], loaded: Any, *, brief: bool) -> None:
        self.job, self.handler, self.loaded = job, handler, loaded
        self.brief = brief  # the work runs in the claim's transaction, its start not committed


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
        worked: _Worked | None = None
        with self._uow as uow:
            claimed = self._claim(uow, cmd)
            claimed_at = time.perf_counter()
            if isinstance(claimed, AttemptOutcome):
                return claimed.model_copy(update={"claim_seconds": claimed_at - started})
            if claimed.brief:
                worked = self._work(cmd, claimed, uow)
                worked_at = time.perf_counter()
                if claimed.brief:  # it did not outlast its bound: its end commits its start
                    outcome = self._finish(uow, cmd, claimed, worked, as_claimed=claimed.job)
                    return _timed(outcome, started, claimed_at, worked_at)
        if worked is None:
            worked = self._work(cmd, claimed)
            worked_at = time.perf_counter()
        return _timed(self._record(cmd, claimed, worked), started, claimed_at, worked_at)

    def _claim(self, uow: UnitOfWork, cmd: RunAttempt) -> _Claimed | AttemptOutcome:
        if cmd.first_delivery:
            # it may run briefly, its work inside this transaction: a work stuck without a
            # checkpoint (that would commit the start) must not hold the job's lock for long
            uow.bound_idle_time(self._settings.brief_idle_seconds)
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
        first_delivery = cmd.first_delivery and not job.redeliveries  # the reconciler sent none again
        now = self._clock.now()
        job.start(now=now, worker=cmd.worker, lease_seconds=self._settings.lease_seconds)
        try:
            loaded = handler.load(uow, job)
        except JobError as exc:  # what the job works on is gone: no attempt can succeed
            transition = self._transitions.begin(uow, now=now, actor=actors.worker(cmd.worker))
            job.fail_attempt(exc, now=now, retry_at=now, actor=transition.actor)
            transition.schedule(job)
            transition.save(job)
            transition.commit()
            return self._outcome(job, cmd)
        if first_delivery and handler.runs_briefly(job, loaded):
            return _Claimed(job, handler, loaded, brief=True)  # started with its end, in this transaction
        claimed = _Claimed(job, handler, loaded, brief=False)
        self._commit_start(uow, cmd, claimed, now=now)
        return claimed

    def _commit_start(self, uow: UnitOfWork, cmd: RunAttempt, claimed: _Claimed, *, now: datetime) -> None:
        transition = self._transitions.begin(uow, now=now, actor=actors.worker(cmd.worker))
        transition.save(claimed.job)
        # A start lost in a database crash is recovered without it: this delivery stays
        # unacknowledged until the attempt ends (its record then fails and it is tried
        # again, or the reconciler sends it again), and the record's durable commit puts
        # the start on disk first. So the start does not wait for the disk.
        uow.relax_durability()
        # the owner's next jobs this start admits: jobs of the owner already wait in the
        # broker, so this attempt starts its work without waiting for their doorbell
        transition.commit(wait_for_publish=False)
        claimed.brief = False

    def _work(self, cmd: RunAttempt, claimed: _Claimed, uow: UnitOfWork | None = None) -> _Worked:
        """The work, under its lease; a brief attempt's (`uow`: its transaction) may end up
        committing its start at a checkpoint (see the module doc)."""
        worked = _Worked()
        try:
            with ExitStack() as leases:
                lease: Lease
                if uow is not None and claimed.brief:
                    lease = _BriefLease(self, uow, cmd, claimed, leases)
                else:
                    lease = leases.enter_context(self._keep_alive(cmd))
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

    def _keep_alive(self, cmd: RunAttempt) -> AbstractContextManager[Lease]:
        return self._heartbeat.keep_alive(cmd.job_id, cmd.attempt, lease_seconds=self._settings.lease_seconds)

    def _record(self, cmd: RunAttempt, claimed: _Claimed, worked: _Worked) -> AttemptOutcome:
        """Record on the job as claimed, saved by compare-and-set without reading it again (the
        common case: nothing happened to it meanwhile); if it changed (cancel requested, handed
        on), everything rolls back and the outcome is decided again on the job as it now is,
        read again (the claimed one, changed by the first try, is not used again)."""
        try:
            with self._uow as uow:
                return self._finish(uow, cmd, claimed, worked, as_claimed=claimed.job)
        except ConcurrentUpdate:
            with self._uow as uow:
                return self._finish(uow, cmd, claimed, worked, as_claimed=None)

    def _finish(
        self, uow: UnitOfWork, cmd: RunAttempt, claimed: _Claimed, worked: _Worked, *, as_claimed: Job | None
    ) -> AttemptOutcome:
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
        # What an end admits (a brief attempt's start refilling its owner's window, a merge, a
        # notification, a job a running limit held back) is not what this attempt's caller
        # waits for: it rings where the background adapter runs it (in this thread by default,
        # before the delivery is acknowledged); a process lost first leaves it to the relay.
        transition.commit(wait_for_publish=False)
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


class _BriefLease:
    """The checkpoints of a brief attempt: its job's row lock held, nothing to renew, until it
    outlasts `cancel_check_seconds`; then its next checkpoint commits its start and hands on to
    an ordinary lease, kept alive (and reading its job back) until the work ends."""

    def __init__(
        self, pipeline: AttemptPipeline, uow: UnitOfWork, cmd: RunAttempt, claimed: _Claimed, leases: ExitStack
    ) -> None:
        self._pipeline, self._uow, self._cmd, self._claimed, self._leases = pipeline, uow, cmd, claimed, leases
        self._lease: Lease = leases.enter_context(pipeline._heartbeat.while_locked())
        self._until = time.monotonic() + pipeline._settings.cancel_check_seconds

    def checkpoint(self, progress: float | None = None) -> None:
        if self._claimed.brief and time.monotonic() >= self._until:
            now = self._pipeline._clock.now()
            self._pipeline._commit_start(self._uow, self._cmd, self._claimed, now=now)
            self._lease = self._leases.enter_context(self._pipeline._keep_alive(self._cmd))
        self._lease.checkpoint(progress)


def _timed(outcome: AttemptOutcome, started: float, claimed_at: float, worked_at: float) -> AttemptOutcome:
    steps = {"claim_seconds": claimed_at - started, "work_seconds": worked_at - claimed_at}
    return outcome.model_copy(update={**steps, "record_seconds": time.perf_counter() - worked_at})


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-8000:]
