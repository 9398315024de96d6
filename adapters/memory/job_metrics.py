from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class InMemoryJobMetrics:
    """Keeps what was counted, for tests to read."""

    submitted: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)

    def job_submitted(self, *, kind: str, queue: str) -> None:
        self.submitted.append({"kind": kind, "queue": queue})

    def job_ended(
        self, *, kind: str, queue: str, status: str, run_seconds: float | None, queue_wait_seconds: float | None
    ) -> None:
        self.ended.append(
            {
                "kind": kind,
                "queue": queue,
                "status": status,
                "run_seconds": run_seconds,
                "queue_wait_seconds": queue_wait_seconds,
            }
        )
