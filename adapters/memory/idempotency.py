from __future__ import annotations

from datetime import datetime

from adapters.memory.repositories import IdempotencyRow, InMemoryState
from domain.ports.idempotency import Answer, IdempotencyKeyHeld, IdempotencyRecord


class InMemoryIdempotencyRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def claim(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime, response: Answer = None
    ) -> IdempotencyRecord | None:
        row = self._state.idempotency.get((owner_id, key))
        if row is not None and row.expires_at > now:
            return row.record
        record = IdempotencyRecord(
            owner_id=owner_id, key=key, fingerprint=fingerprint, response=response, created_at=now
        )
        self._state.idempotency[(owner_id, key)] = IdempotencyRow(record=record, expires_at=expires_at)
        return None

    def claim_with_commit(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime, response: Answer
    ) -> None:
        held = self.claim(owner_id, key, fingerprint=fingerprint, now=now, expires_at=expires_at, response=response)
        if held is not None:
            raise IdempotencyKeyHeld(key)

    def purge_expired(self, now: datetime) -> int:
        expired = [k for k, row in self._state.idempotency.items() if row.expires_at <= now]
        for k in expired:
            del self._state.idempotency[k]
        return len(expired)
