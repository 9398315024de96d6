"""Domain errors. Every error raised by the domain derives from DomainError."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises."""


class InvalidTransition(DomainError):
    """A job was asked to move to a status its state machine does not allow from here."""

    def __init__(self, *, job_id: object, current: str, target: str) -> None:
        super().__init__(f"job {job_id}: cannot go from {current} to {target}")
        self.job_id = job_id
        self.current = current
        self.target = target


class JobError(DomainError):
    """A failure while executing a job. Subclasses say whether trying again can help."""

    transient: bool = False


class TransientError(JobError):
    """The attempt failed for a reason that may go away (timeout, connection, lock)."""

    transient = True


class PermanentError(JobError):
    """The attempt failed for a reason that another attempt cannot fix (invalid input)."""


class JobInputMissing(PermanentError):
    """What the job works on no longer exists (deleted meanwhile): no attempt can succeed."""


class InvalidReportFile(PermanentError):
    """The uploaded file cannot be read as a report; the message says why, for the user."""


class ConcurrentUpdate(DomainError):
    """Someone else changed the job since it was read; the caller must read it again."""

    def __init__(self, job_id: object) -> None:
        super().__init__(f"job {job_id} was changed concurrently")
        self.job_id = job_id


class AttemptAborted(DomainError):
    """The running attempt must stop: its job was cancelled, or its lease was lost."""


class AttemptHandedBack(AttemptAborted):
    """The worker is stopping: the running attempt must give its job back to the queue."""


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was first used with a different request."""


class IdempotencyKeyInFlight(DomainError):
    """A request with the same Idempotency-Key is still being processed."""


class InvalidSchema(DomainError):
    """The declared schema sent with an upload is not a valid schema; the message says why."""


class InvalidSchedule(DomainError):
    """A schedule's field is not valid; `field` names it, the message says why."""

    field = "schedule"


class InvalidCron(InvalidSchedule):
    field = "cron"


class InvalidTimezone(InvalidSchedule):
    field = "timezone"


class DuplicateScheduledRun(DomainError):
    """A run of this schedule for this time was already recorded: it runs once."""
