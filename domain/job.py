"""The Job entity: a unit of background work that moves through an explicit state machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import InvalidTransition, JobError
from domain.job_event import JobEvent
from domain.job_status import ALLOWED_TRANSITIONS, JobStatus


@dataclass(kw_only=True, eq=False)
class Job:
    """A job guards its own status: only the intent methods below change it.

    `attempts` counts attempts started over the job's whole life; `max_attempts` is the
    attempt number after which a transient failure gives up. A replay raises it, so attempt
    numbers never repeat and a late delivery for an old attempt is recognisably stale.
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
    started_at: datetime | None = None
    finished_at: datetime | None = None
    next_attempt_at: datetime | None = None
    worker: str = ""
    error: str = ""
    last_event_seq: int = 0
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
        )
        job._record(None, JobStatus.QUEUED, now=now, actor=actor, message="accepted")
        return job

    @property
    def attempts_left(self) -> int:
        return max(self.max_attempts - self.attempts, 0)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    def accepts_delivery(self, attempt: int) -> bool:
        """True when a task message for `attempt` is the one this job is waiting for."""
        return self.status in (JobStatus.QUEUED, JobStatus.RETRYING) and attempt == self.attempts + 1

    def start(self, *, now: datetime, worker: str) -> None:
        self._move(JobStatus.RUNNING, now=now, actor=f"worker:{worker}", attempt=self.attempts + 1)
        self.attempts += 1
        self.worker = worker
        self.started_at = now
        self.next_attempt_at = None

    def succeed(self, *, now: datetime, actor: str) -> None:
        self._move(JobStatus.SUCCEEDED, now=now, actor=actor, message="done")
        self.progress = 1.0
        self.error = ""
        self.finished_at = now

    def fail_attempt(self, error: JobError, *, now: datetime, retry_at: datetime, actor: str) -> JobStatus:
        """Decide the outcome of a failed attempt: retry, give up, or fail for good."""
        if not error.transient:
            self.fail(error, now=now, actor=actor)
        elif self.attempts_left > 0:
            self.retry(error, now=now, retry_at=retry_at, actor=actor)
        else:
            self.give_up(error, now=now, actor=actor)
        return self.status

    def retry(self, error: JobError, *, now: datetime, retry_at: datetime, actor: str) -> None:
        if self.attempts_left <= 0:
            raise InvalidTransition(job_id=self.id, current=self.status, target=JobStatus.RETRYING)
        self._move(
            JobStatus.RETRYING,
            now=now,
            actor=actor,
            message=str(error),
            data={"error_type": type(error).__name__, "retry_at": retry_at.isoformat()},
        )
        self.error = str(error)
        self.next_attempt_at = retry_at

    def give_up(self, error: JobError, *, now: datetime, actor: str) -> None:
        self._move(JobStatus.DEAD, now=now, actor=actor, message=str(error), data={"error_type": type(error).__name__})
        self.error = str(error)
        self.finished_at = now

    def fail(self, error: JobError, *, now: datetime, actor: str) -> None:
        self._move(
            JobStatus.FAILED, now=now, actor=actor, message=str(error), data={"error_type": type(error).__name__}
        )
        self.error = str(error)
        self.finished_at = now

    def cancel(self, *, now: datetime, actor: str, reason: str = "cancelled") -> None:
        self._move(JobStatus.CANCELLED, now=now, actor=actor, message=reason)
        self.finished_at = now
        self.next_attempt_at = None

    def replay(self, *, now: datetime, actor: str, budget: int) -> None:
        """Put a failed or dead job back in the queue with `budget` fresh attempts."""
        if budget < 1:
            raise ValueError("a replay needs at least one attempt")
        self._move(JobStatus.QUEUED, now=now, actor=actor, message="replayed", data={"budget": budget})
        self.max_attempts = self.attempts + budget
        self.progress = 0.0
        self.finished_at = None

    def report_progress(self, fraction: float, *, now: datetime) -> None:
        self.progress = min(max(fraction, 0.0), 1.0)
        self.updated_at = now

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
