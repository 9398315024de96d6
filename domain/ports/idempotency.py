from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

Answer = dict[str, Any] | None  # the response a key replays; None while its request is in flight


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyRecord:
    owner_id: int
    key: str
    fingerprint: str
    response: Answer
    created_at: datetime


class IdempotencyKeyHeld(Exception):
    """A live record holds the key (see IdempotencyRepository.claim_with_commit)."""


class IdempotencyRepository(Protocol):
    def claim(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime, response: Answer = None
    ) -> IdempotencyRecord | None:
        """Record the key with the response it answers (None: in flight) and return None, or
        return the live record that holds it. Claimed in the transaction that records the
        request, a rollback frees the key; a concurrent claim of the same key waits for it."""

    def claim_with_commit(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime, response: Answer
    ) -> None:
        """`claim`, for a transaction that must commit only if the key was free: the claim may
        travel with the transaction's later statements (its commit at the latest), which then
        fail, the transaction with them, raising IdempotencyKeyHeld when a live record holds
        the key (look it up with `claim` in a new transaction)."""

    def purge_expired(self, now: datetime) -> int: ...
