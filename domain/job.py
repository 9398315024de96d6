"""The Job entity: a unit of background work that moves through an explicit state machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.errors import InvalidTransition, JobError, TransientError
from domain.job_event import JobEvent
from domain.job_status import ALLOWED_TRANSITIONS, JobStatus


@dataclass(kw_only=True, eq=False)
class Job:
    """A job guards its own status: only the intent methods below change it.

    `attempts` counts attempts started over the job's whole life; `max_attempts` is the
    attempt number after which a transient failure gives up. A replay raises it, so attempt
    numbers never repeat and a late delivery for an old attempt is recognisably stale.
    `next_attempt_at` is when a waiting job may start; it is dispatched (its delivery written
    to the outbox, `dispatched_at`) once its owner's limits allow a start. A running one holds
    a lease until `lease_expires_at`, which its worker's heartbeat keeps moving.
    Every transition appends a JobEvent to `new_events` for the repository to persist.
    """

    id: UUID
    kind: str
    owner_id: int
    queue: str
    status: JobStatus
    attempts: int
    max_attempts: int
    created_at: datetime
    updated_at: datetime
    progress: float = 0.0
    priority: int = 0  # higher starts first among its owner's waiting jobs
    started_at: datetime | None = None
    finished_at: datetime | None = None
    next_attempt_at: datetime | None = None
    dispatched_at: datetime | None = None
    # when the reconciler may send the awaited delivery again, and how often it already did
    redelivery_due_at: datetime | None = None
    redeliveries: int = 0
    lease_expires_at: datetime | None = None
    cancel_requested: bool = False
    worker: str = ""
    error: str = ""
    error_detail: str = ""
    # fan-out / fan-in: a child knows its parent; a parent counts its children
    parent_id: UUID | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    children_total: int = 0
    children_done: int = 0
    last_event_seq: int = 0
    last_event_hash: str = ""  # of its last stored event: where the audit chain goes on
    # what correlates its logs and traces with the request that caused it (request_id,
    # traceparent); set when it is added, never changed after
    correlation: dict[str, str] = field(default_factory=dict)
    new_events: list[JobEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        kind: str,
        owner_id: int,
        queue: str,
        max_attempts: int,
        now: datetime,
        actor: str,
        parent_id: UUID | None = None,
        payload: dict[str, Any] | None = None,
        priority: int = 0,
    ) -> Job:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        job = cls(
            id=id,
            kind=kind,
            owner_id=owner_id,
            queue=queue,
            status=JobStatus.QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
            parent_id=parent_id,
            payload=payload or {},
            priority=priority,
        )
        job._record(None, JobStatus.QUEUED, now=now, actor=actor, message="accepted")
        return job

    @property
    def attempts_left(self) -> int:
        return max(self.max_attempts - self.attempts, 0)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def is_waiting(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RETRYING)

    def is_due(self, now: datetime) -> bool:
        return self.is_waiting and self.next_attempt_at is not None and self.next_attempt_at <= now

    def dispatch(self, *, now: datetime) -> None:
        """Its owner's limits allow a start: the delivery of its next attempt goes out now."""
        if not self.is_due(now) or self.dispatched_at is not None:
            raise InvalidTransition(job_id=self.id, current=self.status, target=self.status)
        self.dispatched_at = now

    def defer(self, *, now: datetime, actor: str, reason: str) -> None:
        """It could start now, but its owner's limits hold it back; it starts once they allow."""
        if not self.is_waiting or self.dispatched_at is not None:
            raise InvalidTransition(job_id=self.id, current=self.status, target=self.status)
        self._record(self.status, self.status, now=now, actor=actor, message=f"deferred: {reason}")
        self.updated_at = now

    def accepts_delivery(self, attempt: int) -> bool:
        """True when a task message for `attempt` is the one this job is waiting for: it waits,
        it was dispatched (its owner's limits allowed the start), and `attempt` is its next."""
        return self.is_waiting and self.dispatched_at is not None and attempt == self.attempts + 1

    @property
    def has_just_ended(self) -> bool:
        """True when a transition not yet saved moved the job to a terminal status."""
        return any(e.to_status.is_terminal and e.from_status != e.to_status for e in self.new_events)

    @property
    def is_fanned_out(self) -> bool:
        """A running parent whose work is done by its children: no worker holds its lease."""
        return self.status == JobStatus.RUNNING and self.children_total > 0

    def is_lease_expired(self, now: datetime) -> bool:
        if self.status != JobStatus.RUNNING or self.is_fanned_out:
            return False
        return self.lease_expires_at is None or self.lease_expires_at <= now

    def start(self, *, now: datetime, worker: str, lease_seconds: float) -> None:
        self._move(JobStatus.RUNNING, now=now, actor=f"worker:{worker}", attempt=self.attempts + 1)
        self.attempts += 1
        self.worker = worker
        self.started_at = now
        self.next_attempt_at = self.dispatched_at = None
        self.lease_expires_at = now + timedelta(seconds=lease_seconds)
        self.children_total = self.children_done = 0

    def succeed(self, *, now: datetime, actor: str) -> None:
        self._move(JobStatus.SUCCEEDED, now=now, actor=actor, message="done")
        self.progress = 1.0
        self.error = self.error_detail = ""
        self._finish(now)

    def fail_attempt(
        self, error: JobError, *, now: datetime, retry_at: datetime, actor: str, detail: str = ""
    ) -> JobStatus:
        """Decide the outcome of a failed attempt: retry, give up, or fail for good.

        A job whose cancellation was requested is cancelled instead.
        """
        if self.cancel_requested:
            self.cancel(now=now, actor=actor, reason=f"cancelled as requested; the attempt ended with: {error}")
        elif not error.transient:
            self.fail(error, now=now, actor=actor, detail=detail)
        elif self.attempts_left > 0:
            self.retry(error, now=now, retry_at=retry_at, actor=actor, detail=detail)
        else:
            self.give_up(error, now=now, actor=actor, detail=detail)
        return self.status

    def expire_lease(self, *, now: datetime, retry_at: datetime, actor: str) -> JobStatus:
        """The worker running this job stopped renewing its lease: treat it as lost."""
        if not self.is_lease_expired(now):
            raise InvalidTransition(job_id=self.id, current=self.status, target=JobStatus.RETRYING)
        lost = TransientError(f"worker {self.worker} stopped renewing its lease during attempt {self.attempts}")
        return self.fail_attempt(lost, now=now, retry_at=retry_at, actor=actor)

    def hand_back(self, *, now: datetime, actor: str, reason: str) -> None:
        """The worker running this attempt is stopping: the job waits for another attempt at once,
        and the interrupted one does not count against its budget."""
        self._move(JobStatus.RETRYING, now=now, actor=actor, message=f"handed back: {reason}")
        self.max_attempts += 1
        self.next_attempt_at = now
        self.lease_expires_at = None

    def retry(self, error: JobError, *, now: datetime, retry_at: datetime, actor: str, detail: str = "") -> None:
        if self.attempts_left <= 0:
            raise InvalidTransition(job_id=self.id, current=self.status, target=JobStatus.RETRYING)
        self._move(
            JobStatus.RETRYING,
            now=now,
            actor=actor,
            message=str(error),
            data={"error_type": type(error).__name__, "retry_at": retry_at.isoformat()},
        )
        self.error, self.error_detail = str(error), detail
        self.next_attempt_at = retry_at
        self.lease_expires_at = None

    def give_up(self, error: JobError, *, now: datetime, actor: str, detail: str = "") -> None:
        self._move(JobStatus.DEAD, now=now, actor=actor, message=str(error), data={"error_type": type(error).__name__})
        self.error, self.error_detail = str(error), detail
        self._finish(now)

    def fail(self, error: JobError, *, now: datetime, actor: str, detail: str = "") -> None:
        self._move(
            JobStatus.FAILED, now=now, actor=actor, message=str(error), data={"error_type": type(error).__name__}
        )
        self.error, self.error_detail = str(error), detail
        self._finish(now)

    def cancel(self, *, now: datetime, actor: str, reason: str = "cancelled") -> None:
        self._move(JobStatus.CANCELLED, now=now, actor=actor, message=reason)
        self._finish(now)

    def fan_out(self, children: int, *, now: datetime, actor: str) -> None:
        """Hand the work of this running attempt to `children` child jobs and wait for them."""
        if self.status != JobStatus.RUNNING or children < 1:
            raise InvalidTransition(job_id=self.id, current=self.status, target=self.status)
        self.children_total, self.children_done = children, 0
        self.lease_expires_at = None
        self.updated_at = now
        self._record(self.status, self.status, now=now, actor=actor, message=f"split into {children} chunks")

    def child_succeeded(self, *, now: datetime) -> bool:
        """Count one finished child; True when it was the last one (fan-in may start)."""
        if not self.is_fanned_out or self.children_done >= self.children_total:
            raise InvalidTransition(job_id=self.id, current=self.status, target=self.status)
        self.children_done += 1
        # the merge is the last step, so the chunks take the progress up to 95 %
        self.progress = 0.95 * self.children_done / self.children_total
        self.updated_at = now
        return self.children_done == self.children_total

    def request_cancel(self, *, now: datetime, actor: str) -> None:
        """Cancel now if no attempt runs; otherwise ask the running attempt to stop at its next checkpoint."""
        if self.status != JobStatus.RUNNING or self.is_fanned_out:
            self.cancel(now=now, actor=actor)
            return
        if not self.cancel_requested:
            self.cancel_requested = True
            self._record(self.status, self.status, now=now, actor=actor, message="cancel requested")
            self.updated_at = now

    def redeliver(self, *, now: datetime, actor: str, next_check_at: datetime) -> None:
        """Record that the delivery of the awaited attempt was sent again (its message was
        presumed lost); the next resend may come at `next_check_at`, not before."""
        if self.status not in (JobStatus.QUEUED, JobStatus.RETRYING):
            raise InvalidTransition(job_id=self.id, current=self.status, target=self.status)
        self.redeliveries += 1
        self.redelivery_due_at = next_check_at
        self.dispatched_at = now
        self.updated_at = now
        self._record(
            self.status, self.status, now=now, actor=actor, attempt=self.attempts + 1, message="delivery sent again"
        )

    def replay(self, *, now: datetime, actor: str, budget: int) -> None:
        """Put a failed or dead job back in the queue with `budget` fresh attempts."""
        if budget < 1:
            raise ValueError("a replay needs at least one attempt")
        self._move(JobStatus.QUEUED, now=now, actor=actor, message="replayed", data={"budget": budget})
        self.max_attempts = self.attempts + budget
        self.progress = 0.0
        self.finished_at = None
        self.cancel_requested = False
        self.next_attempt_at = now

    def report_progress(self, fraction: float, *, now: datetime) -> None:
        self.progress = min(max(fraction, 0.0), 1.0)
        self.updated_at = now

    def _finish(self, now: datetime) -> None:
        self.finished_at = now
        self.next_attempt_at = self.dispatched_at = None
        self.lease_expires_at = None

    def _move(
        self,
        target: JobStatus,
        *,
        now: datetime,
        actor: str,
        attempt: int | None = None,
        message: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        if target not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransition(job_id=self.id, current=self.status, target=target)
        previous = self.status
        self.status = target
        self.updated_at = now
        self.redelivery_due_at, self.redeliveries = None, 0
        self.dispatched_at = None  # a new status needs a new admission before any delivery
        self._record(previous, target, now=now, actor=actor, attempt=attempt, message=message, data=data)

    def _record(
        self,
        from_status: JobStatus | None,
        to_status: JobStatus,
        *,
        now: datetime,
        actor: str,
        attempt: int | None = None,
        message: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        self.last_event_seq += 1
        self.new_events.append(
            JobEvent(
                job_id=self.id,
                seq=self.last_event_seq,
                from_status=from_status,
                to_status=to_status,
                attempt=self.attempts if attempt is None else attempt,
                actor=actor,
                at=now,
                message=message,
                data=data or {},
            )
        )
