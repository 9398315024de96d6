"""Leases of running attempts: renewed by one keeper thread per process, checked at checkpoints.

The keeper thread renews each running attempt's lease every third of the lease, so a lease
survives two missed beats even while the work makes no checkpoint. The checkpoints (called
often by the work) read the job back at most every `check_seconds`, so a cancel request or a
hand-over stops the work within about that long; and they stop it at once when the worker is
stopping, so the attempt hands its job back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from django.db import connection

from adapters.orm.models import JobRecord
from adapters.orm.repositories import DjangoJobRepository
from domain.errors import AttemptAborted, AttemptHandedBack
from domain.job_status import JobStatus
from domain.ports import Clock

logger = logging.getLogger(__name__)


def never_stopping() -> str:
    return ""


class DjangoLease:
    def __init__(
        self,
        job_id: UUID,
        attempt: int,
        *,
        lease_seconds: float,
        check_seconds: float,
        stopping: Callable[[], str],
    ) -> None:
        self.job_id, self.attempt, self.lease_seconds = job_id, attempt, lease_seconds
        self.progress: float | None = None
        self.abort_reason = ""
        self.next_renewal = time.monotonic() + lease_seconds / 3
        self._check_seconds = check_seconds
        self._next_check = time.monotonic() + check_seconds
        self._stopping = stopping

    def checkpoint(self, progress: float | None = None) -> None:
        if progress is not None:
            self.progress = progress
        if reason := self._stopping():
            raise AttemptHandedBack(reason)
        if not self.abort_reason and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + self._check_seconds
            self._read_back()
        if self.abort_reason:
            raise AttemptAborted(self.abort_reason)

    def observe(self, status: str | None, attempts: int, cancel_requested: bool) -> None:
        """What the job row says now: has this attempt lost its job, or been asked to stop?"""
        if status != JobStatus.RUNNING.value or attempts != self.attempt:
            self.abort_reason = f"attempt {self.attempt} was handed on (its lease had expired)"
        elif cancel_requested:
            self.abort_reason = "cancel requested"

    def _read_back(self) -> None:
        try:
            row = JobRecord.objects.filter(id=self.job_id).values_list("status", "attempts", "cancel_requested").first()
        except Exception:  # the database may be away for a moment: check again next time
            logger.warning("checkpoint of job %s could not read the job", self.job_id, exc_info=True)
            connection.close()
            return
        self.observe(*(row or (None, 0, False)))


class LockedLease:
    """The lease of a brief attempt (see Heartbeat.while_locked)."""

    def __init__(self, stopping: Callable[[], str]) -> None:
        self._stopping = stopping

    def checkpoint(self, progress: float | None = None) -> None:
        if reason := self._stopping():
            raise AttemptHandedBack(reason)


class LeaseKeeper:
    """A daemon thread renewing the leases of the attempts running in this process.

    Started by the first attempt and kept while attempts follow one another; it holds a
    database connection only while it has leases to renew (most attempts end before their
    first renewal), and ends after `idle_seconds` without any.

    It is woken only when a new lease needs renewing before the time it sleeps until: short
    attempts, the common case, come and go without waking it (each wake costs the attempt's
    thread a switch and the interpreter lock). A removed lease needs nothing: the keeper
    finds it gone when it next wakes.
    """

    def __init__(self, clock: Clock, *, idle_seconds: float = 60.0) -> None:
        self._clock = clock
        self._idle_seconds = idle_seconds
        self._leases: dict[tuple[UUID, int], DjangoLease] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._sleeps_until = 0.0  # monotonic; the keeper wakes by then without being told
        # with no lease to renew it still wakes this often, so a lease added meanwhile needs no wake
        self._renewal_interval = idle_seconds
        self._running_in_pid = 0

    def add(self, lease: DjangoLease) -> None:
        with self._lock:
            self._leases[(lease.job_id, lease.attempt)] = lease
            self._renewal_interval = min(lease.lease_seconds / 3, self._idle_seconds)
            if self._running_in_pid != os.getpid():  # none yet in this (possibly forked) process
                self._running_in_pid = os.getpid()
                self._sleeps_until = 0.0
                threading.Thread(target=self._run, name="lease-keeper", daemon=True).start()
            if lease.next_renewal < self._sleeps_until:
                self._sleeps_until = lease.next_renewal
                self._wake.set()

    def remove(self, lease: DjangoLease) -> None:
        with self._lock:
            self._leases.pop((lease.job_id, lease.attempt), None)

    def _run(self) -> None:
        idle_since: float | None = None
        while True:
            with self._lock:
                leases = list(self._leases.values())
                if leases:
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > self._idle_seconds:
                    self._running_in_pid = 0
                    break
            now = time.monotonic()
            for lease in leases:
                if lease.next_renewal <= now:
                    self._renew(lease)
            if not leases:
                connection.close()  # hold no database connection while there is nothing to renew
            with self._lock:  # the leases added meanwhile count too
                soon = time.monotonic() + self._renewal_interval  # no sooner than any lease added later
                self._sleeps_until = min((lease.next_renewal for lease in self._leases.values()), default=soon)
                self._wake.clear()
            self._wake.wait(max(self._sleeps_until - time.monotonic(), 0.0))
        connection.close()

    def _renew(self, lease: DjangoLease) -> None:
        lease.next_renewal = time.monotonic() + lease.lease_seconds / 3
        until = self._clock.now() + timedelta(seconds=lease.lease_seconds)
        try:
            job = DjangoJobRepository().renew_lease(lease.job_id, lease.attempt, until=until, progress=lease.progress)
        except Exception:  # the database may be away for a moment: the lease has slack for it
            logger.warning("heartbeat of job %s failed", lease.job_id, exc_info=True)
            connection.close()
            return
        if job is None:
            lease.observe(None, 0, False)
        else:
            lease.observe(job.status.value, job.attempts, job.cancel_requested)


class DjangoHeartbeat:
    def __init__(
        self, clock: Clock, *, check_seconds: float = 0.5, stopping: Callable[[], str] = never_stopping
    ) -> None:
        self._keeper = LeaseKeeper(clock)
        self._check_seconds = check_seconds
        self._stopping = stopping

    @contextmanager
    def keep_alive(self, job_id: UUID, attempt: int, *, lease_seconds: float) -> Iterator[DjangoLease]:
        lease = DjangoLease(
            job_id, attempt, lease_seconds=lease_seconds, check_seconds=self._check_seconds, stopping=self._stopping
        )
        self._keeper.add(lease)
        try:
            yield lease
        finally:
            self._keeper.remove(lease)

    @contextmanager
    def while_locked(self) -> Iterator[LockedLease]:
        yield LockedLease(self._stopping)
