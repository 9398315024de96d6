from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from adapters.memory.repositories import InMemoryState
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports.statistics import JobGroup, OutboxBacklog


class InMemoryEngineStatistics:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def job_groups(self) -> list[JobGroup]:
        groups: dict[tuple[str, str, JobStatus], list[Job]] = defaultdict(list)
        for job in self._state.jobs.values():
            groups[(job.kind, job.queue, job.status)].append(job)
        return [
            JobGroup(
                kind=kind,
                queue=queue,
                status=status,
                count=len(jobs),
                oldest_due_at=_oldest(
                    j.next_attempt_at for j in jobs if j.status in (JobStatus.QUEUED, JobStatus.RETRYING)
                ),
                oldest_lease_expiry=_oldest(
                    j.lease_expires_at or j.started_at
                    for j in jobs
                    if j.status == JobStatus.RUNNING and not j.is_fanned_out
                ),
            )
            for (kind, queue, status), jobs in groups.items()
        ]

    def outbox_backlog(self, now: datetime) -> OutboxBacklog:
        due = [
            row.entry.available_at
            for row in self._state.outbox.values()
            if row.published_at is None and row.entry.available_at <= now
        ]
        return OutboxBacklog(count=len(due), oldest_available_at=min(due, default=None))


def _oldest(moments: Iterable[datetime | None]) -> datetime | None:
    return min((moment for moment in moments if moment is not None), default=None)
