from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True, slots=True)
class TakenDelivery:
    """A delivery a worker took from the broker: the job and the attempt it asks for."""

    job_id: UUID
    attempt: int


class TakenDeliveries(Protocol):
    """Deliveries workers took from the broker and have not acknowledged: a worker
    acknowledges a job's delivery once its attempt has ended (`acks_late`)."""

    def taken_before(self, moment: datetime) -> list[TakenDelivery]:
        """Those taken before `moment`, oldest first (as many as the adapter reads at once)."""


class NoTakenDeliveries:
    """A broker that does not tell (the embedded one): lost deliveries are then found by the
    redelivery delay alone."""

    def taken_before(self, moment: datetime) -> list[TakenDelivery]:
        return []
