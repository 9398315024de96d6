from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Background(Protocol):
    """Runs work the caller need not wait for (the doorbell after a commit: the outbox row is
    the record). Where it runs is the adapter's choice: on a thread of its own, or at once."""

    def submit(self, work: Callable[[], object]) -> None:
        """Run `work` soon; what it raises is logged, never the caller's."""


class AtOnce:
    """Background work run in the caller's thread before `submit` returns (tests, SQLite)."""

    def submit(self, work: Callable[[], object]) -> None:
        work()
