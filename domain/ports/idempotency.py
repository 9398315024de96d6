from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyRecord:
    owner_id: int
    key: str
    fingerprint: str
    response: dict[str, Any] | None  # None while the first request is in flight
    created_at: datetime


class IdempotencyRepository(Protocol):
    def claim(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime
    ) -> IdempotencyRecord | None:
        """Record the key as in flight and return None, or return the live record that holds it."""

    def complete(self, owner_id: int, key: str, *, response: dict[str, Any]) -> None: ...

    def release(self, owner_id: int, key: str) -> None:
        """Forget an in-flight key whose request failed, so the client may try again."""

    def purge_expired(self, now: datetime) -> int: ...
