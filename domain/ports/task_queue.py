from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One request to execute attempt `attempt` of a job. Carries ids only, and the ids that
    correlate its logs and traces with the request that caused the job (`Job.correlation`,
    plus the owner's `user_id`)."""

    job_id: UUID
    kind: str
    attempt: int
    queue: str
    correlation: dict[str, str] = field(default_factory=dict)


class TaskQueue(Protocol):
    """Rings the doorbell: asks a worker to run a job. The database stays the record.

    Raises QueueUnavailable when the broker cannot take the message now.
    """

    def enqueue(self, delivery: Delivery) -> None: ...


class QueueUnavailable(Exception):
    """The broker did not take the message; the outbox keeps it for the relay."""
