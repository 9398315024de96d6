from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from adapters.memory.unit_of_work import InMemoryUnitOfWork
from domain.errors import AttemptAborted, AttemptHandedBack
from domain.ports import Clock


class InMemoryLease:
    def __init__(self, heartbeat: InMemoryHeartbeat, job_id: UUID, attempt: int, lease_seconds: float):
        self._heartbeat = heartbeat
        self._uow, self._clock = heartbeat.uow, heartbeat.clock
        self._job_id, self._attempt, self._lease_seconds = job_id, attempt, lease_seconds
        self.checkpoints = 0

    def checkpoint(self, progress: float | None = None) -> None:
        """Renews and reads the job back at every checkpoint (the Django one does both on timers)."""
        self.checkpoints += 1
        if self._heartbeat.stopping:
            raise AttemptHandedBack(self._heartbeat.stopping)
        with self._uow as uow:
            until = self._clock.now() + timedelta(seconds=self._lease_seconds)
            job = uow.jobs.renew_lease(self._job_id, self._attempt, until=until, progress=progress)
            uow.commit()
        if job is None:
            raise AttemptAborted(f"attempt {self._attempt} of job {self._job_id} no longer runs")
        if job.cancel_requested:
            raise AttemptAborted("cancel requested")


class InMemoryLockedLease:
    def __init__(self, heartbeat: InMemoryHeartbeat) -> None:
        self._heartbeat = heartbeat
        self.checkpoints = 0

    def checkpoint(self, progress: float | None = None) -> None:
        self.checkpoints += 1
        if self._heartbeat.stopping:
            raise AttemptHandedBack(self._heartbeat.stopping)


class InMemoryHeartbeat:
    def __init__(self, uow: InMemoryUnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock
        self.leases: list[InMemoryLease] = []
        self.locked_leases: list[InMemoryLockedLease] = []  # of brief attempts
        self.stopping = ""  # set to a reason to stop the worker: attempts hand their jobs back

    @contextmanager
    def keep_alive(self, job_id: UUID, attempt: int, *, lease_seconds: float) -> Iterator[InMemoryLease]:
        lease = InMemoryLease(self, job_id, attempt, lease_seconds)
        self.leases.append(lease)
        yield lease

    @contextmanager
    def while_locked(self) -> Iterator[InMemoryLockedLease]:
        lease = InMemoryLockedLease(self)
        self.locked_leases.append(lease)
        yield lease
