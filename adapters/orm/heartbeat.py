"""Lease renewal for a running attempt, from a background thread with its own connection.

The thread renews every third of the lease, so a lease survives two missed beats; it
also brings back whether cancellation was requested or the attempt was handed on, which
the work sees at its next checkpoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from django.db import connection

from adapters.orm.repositories import DjangoJobRepository
from domain.errors import AttemptAborted
from domain.ports import Clock

logger = logging.getLogger(__name__)


class ThreadLease:
    def __init__(self, job_id: UUID, attempt: int, lease_seconds: float, clock: Clock) -> None:
        self._job_id, self._attempt, self._lease_seconds, self._clock = job_id, attempt, lease_seconds, clock
        self._progress: float | None = None
        self._abort_reason = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def checkpoint(self, progress: float | None = None) -> None:
        if progress is not None:
            self._progress = progress
        if self._abort_reason:
            raise AttemptAborted(self._abort_reason)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._lease_seconds)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._lease_seconds / 3):
                self._beat()
        finally:
            connection.close()  # this thread's own connection

    def _beat(self) -> None:
        until = self._clock.now() + timedelta(seconds=self._lease_seconds)
        try:
            job = DjangoJobRepository().renew_lease(self._job_id, self._attempt, until=until, progress=self._progress)
        except Exception:  # the database may be away for a moment: the lease has slack for it
            logger.warning("heartbeat of job %s failed", self._job_id, exc_info=True)
            connection.close()
            return
        if job is None:
            self._abort_reason = f"attempt {self._attempt} was handed on (its lease had expired)"
        elif job.cancel_requested:
            self._abort_reason = "cancel requested"


class DjangoHeartbeat:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @contextmanager
    def keep_alive(self, job_id: UUID, attempt: int, *, lease_seconds: float) -> Iterator[ThreadLease]:
        lease = ThreadLease(job_id, attempt, lease_seconds, self._clock)
        lease.start()
        try:
            yield lease
        finally:
            lease.stop()
