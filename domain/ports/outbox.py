from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.ports.task_queue import Delivery


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    delivery: Delivery
    available_at: datetime
    id: int | None = None  # None for an entry as its own transaction wrote it (its id is not read back)


class OutboxRepository(Protocol):
    """Deliveries recorded in the same transaction as the job change that needs them."""

    def add_many(self, deliveries: Sequence[Delivery], *, available_at: datetime, now: datetime) -> None:
        """Entries for the deliveries, in one write, which may travel with the transaction's
        next statement or its commit (nothing is read back)."""

    def claim_due(self, now: datetime, *, limit: int, ids: list[int] | None = None) -> list[OutboxEntry]:
        """Unpublished entries due by `now` (optionally only `ids`), locked against other relays."""

    def mark_published(self, ids: list[int], *, now: datetime) -> None: ...

    def record_failure(self, deliveries: Sequence[Delivery], *, error: str) -> None:
        """Count a refused publish on the unpublished entries of these deliveries."""

    def has_pending(self, job_id: UUID) -> bool:
        """True while the job has an unpublished delivery."""

    def purge_published(self, before: datetime) -> int: ...


class PublishedMarks(Protocol):
    def mark_published(self, deliveries: Sequence[Delivery], *, now: datetime, durable: bool = False) -> None:
        """Mark the unpublished entries of these deliveries published, outside any unit of
        work: one statement that commits itself. A delivery is known by its job and attempt:
        every entry of the same job and attempt is the same message, so one publish serves all.
        `durable`: the commit waits for the disk, and writes every entry of these deliveries
        (those marked already too), so what was committed before it is on disk too once it
        returns (see UnitOfWork.relax_durability)."""
