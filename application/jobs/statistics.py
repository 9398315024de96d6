"""Read what the engine holds right now, for gauges: jobs per kind, queue and status, how long
the longest-waiting job has been due, how far the most overdue lease ran out, and the outbox
backlog. Taken from the record at read time, so it is right whatever the number of processes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.job_status import JobStatus
from domain.ports import Clock
from domain.ports.statistics import EngineStatistics


class JobGauge(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    queue: str
    status: JobStatus
    count: int
    # waiting jobs: seconds since the longest-waiting one became due (0 when none is due yet)
    oldest_due_seconds: float
    # running jobs: seconds since the most overdue lease ran out (0 when every lease holds)
    lease_overdue_seconds: float


class EngineGauges(BaseModel):
    model_config = ConfigDict(frozen=True)

    jobs: list[JobGauge]
    outbox_backlog: int
    # seconds since the oldest due, unpublished delivery became due (0 without backlog)
    outbox_oldest_seconds: float


class ReadEngineGaugesHandler:
    def __init__(self, *, statistics: EngineStatistics, clock: Clock) -> None:
        self._statistics = statistics
        self._clock = clock

    def __call__(self) -> EngineGauges:
        now = self._clock.now()
        jobs = [
            JobGauge(
                kind=group.kind,
                queue=group.queue,
                status=group.status,
                count=group.count,
                oldest_due_seconds=_since(group.oldest_due_at, now),
                lease_overdue_seconds=_since(group.oldest_lease_expiry, now),
            )
            for group in self._statistics.job_groups()
        ]
        backlog = self._statistics.outbox_backlog(now)
        return EngineGauges(
            jobs=jobs, outbox_backlog=backlog.count, outbox_oldest_seconds=_since(backlog.oldest_available_at, now)
        )


def _since(moment: datetime | None, now: datetime) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment is not None else 0.0
