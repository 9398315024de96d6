from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.memory.repositories import InMemoryState, OutboxRow
from domain.ports import Delivery, OutboxEntry


class InMemoryOutboxRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add_many(self, deliveries: Sequence[Delivery], *, available_at: datetime, now: datetime) -> None:
        first = max(self._state.outbox, default=0) + 1
        for entry_id, delivery in enumerate(deliveries, start=first):
            self._state.outbox[entry_id] = OutboxRow(
                OutboxEntry(id=entry_id, delivery=delivery, available_at=available_at)
            )

    def claim_due(self, now: datetime, *, limit: int, ids: list[int] | None = None) -> list[OutboxEntry]:
        due = [
            row.entry
            for row in self._state.outbox.values()
            if row.published_at is None and row.entry.available_at <= now and (ids is None or row.entry.id in ids)
        ]
        return sorted(due, key=lambda entry: (entry.available_at, entry.id))[:limit]

    def mark_published(self, ids: list[int], *, now: datetime) -> None:
        for entry_id in ids:
            row = self._state.outbox[entry_id]
            row.published_at = row.published_at or now

    def record_failure(self, deliveries: Sequence[Delivery], *, error: str) -> None:
        for row in _pending_rows(self._state, deliveries):
            row.publish_failures += 1
            row.last_error = error

    def has_pending(self, job_id: UUID) -> bool:
        return any(r.published_at is None and r.entry.delivery.job_id == job_id for r in self._state.outbox.values())

    def purge_published(self, before: datetime) -> int:
        old = [i for i, row in self._state.outbox.items() if row.published_at and row.published_at < before]
        for entry_id in old:
            del self._state.outbox[entry_id]
        return len(old)


class InMemoryPublishedMarks:
    """Marks on the committed state, outside any unit of work, as the database's statement does."""

    def __init__(self, state: InMemoryState, *, durable_marks: list[datetime] | None = None) -> None:
        self._state = state
        # memory has no disk: when durable marks were asked for is only noted, for the tests
        self.durable_marks = durable_marks if durable_marks is not None else []
        self.failing: Exception | None = None  # raised by the next durable mark (a test's fault)

    def mark_published(self, deliveries: Sequence[Delivery], *, now: datetime, durable: bool = False) -> None:
        if durable:
            if self.failing is not None:
                raise self.failing
            self.durable_marks.append(now)
        for row in _pending_rows(self._state, deliveries):
            row.published_at = now


def _pending_rows(state: InMemoryState, deliveries: Sequence[Delivery]) -> list[OutboxRow]:
    """The unpublished entries of these deliveries, known by job and attempt."""
    keys = {(delivery.job_id, delivery.attempt) for delivery in deliveries}
    return [
        row
        for row in state.outbox.values()
        if row.published_at is None and (row.entry.delivery.job_id, row.entry.delivery.attempt) in keys
    ]
