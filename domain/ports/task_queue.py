from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One request to execute attempt `attempt` of a job. Carries ids only."""

    job_id: UUID
    kind: str
    attempt: int
    queue: str


class TaskQueue(Protocol):
    """Rings the doorbell: asks a worker to run a job. The database stays the record.

    Raises QueueUnavailable when the broker cannot take the message now.
    """

    def enqueue(self, delivery: Delivery) -> None: ...


class QueueUnavailable(Exception):
    """The broker did not take the message; the outbox keeps it for the relay."""
