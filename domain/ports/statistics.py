from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.job_status import JobStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class JobGroup:
    """How many jobs of one kind and queue are in one status, and the oldest moment that
    matters for that status: when the longest-waiting job became due (queued, retrying),
    when the most overdue lease ran out (running jobs that hold a lease, by the rule of
    `Job.is_lease_expired`: a missing lease counts as run out when the attempt started)."""

    kind: str
    queue: str
    status: JobStatus
    count: int
    oldest_due_at: datetime | None = None
    oldest_lease_expiry: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxBacklog:
    """Deliveries due by now and not yet published, and when the oldest of them became due."""

    count: int
    oldest_available_at: datetime | None = None


class EngineStatistics(Protocol):
    """What the engine holds right now, read from the record (whatever the number of processes)."""

    def job_groups(self) -> list[JobGroup]:
        """Every (kind, queue, status) with at least one job."""

    def outbox_backlog(self, now: datetime) -> OutboxBacklog: ...
