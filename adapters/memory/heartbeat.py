from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from adapters.memory.unit_of_work import InMemoryUnitOfWork
from domain.errors import AttemptAborted
from domain.ports import Clock


class InMemoryLease:
    def __init__(self, uow: InMemoryUnitOfWork, clock: Clock, job_id: UUID, attempt: int, lease_seconds: float):
        self._uow, self._clock = uow, clock
        self._job_id, self._attempt, self._lease_seconds = job_id, attempt, lease_seconds
        self.checkpoints = 0

    def checkpoint(self, progress: float | None = None) -> None:
        """Renews at every checkpoint (the Django one does it on a timer)."""
        self.checkpoints += 1
        with self._uow as uow:
            until = self._clock.now() + timedelta(seconds=self._lease_seconds)
            job = uow.jobs.renew_lease(self._job_id, self._attempt, until=until, progress=progress)
            uow.commit()
        if job is None:
            raise AttemptAborted(f"attempt {self._attempt} of job {self._job_id} no longer runs")
        if job.cancel_requested:
            raise AttemptAborted("cancel requested")


class InMemoryHeartbeat:
    def __init__(self, uow: InMemoryUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock
        self.leases: list[InMemoryLease] = []

    @contextmanager
    def keep_alive(self, job_id: UUID, attempt: int, *, lease_seconds: float) -> Iterator[InMemoryLease]:
        lease = InMemoryLease(self._uow, self._clock, job_id, attempt, lease_seconds)
        self.leases.append(lease)
        yield lease
