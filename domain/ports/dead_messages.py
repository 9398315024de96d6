from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class DeadMessageRepository(Protocol):
    """Task messages that could never run (malformed), kept for inspection instead of retried."""

    def add(self, *, task: str, payload: dict[str, Any], reason: str, received_at: datetime) -> None: ...

    def count(self) -> int: ...
