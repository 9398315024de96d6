from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.ports.task_queue import Delivery


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    id: int
    delivery: Delivery
    available_at: datetime


class OutboxRepository(Protocol):
    """Deliveries recorded in the same transaction as the job change that needs them."""

    def add_many(self, deliveries: Sequence[Delivery], *, available_at: datetime, now: datetime) -> list[int]:
        """Entries for the deliveries, in one write; their ids, in order."""

    def claim_due(self, now: datetime, *, limit: int, ids: list[int] | None = None) -> list[OutboxEntry]:
        """Unpublished entries due by `now` (optionally only `ids`), locked against other relays."""

    def mark_published(self, ids: list[int], *, now: datetime) -> None: ...

    def record_failure(self, ids: list[int], *, error: str) -> None: ...

    def has_pending(self, job_id: UUID) -> bool:
        """True while the job has an unpublished delivery."""

    def purge_published(self, before: datetime) -> int: ...


class PublishedMarks(Protocol):
    def mark_published(self, ids: list[int], *, now: datetime) -> None:
        """Mark entries published outside any unit of work: one statement that commits itself."""
