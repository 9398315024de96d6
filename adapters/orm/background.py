"""Background work with a database connection of its own: one thread per process, with
PUBLISH_IN_BACKGROUND=true (off by default).

After an attempt's commit, the doorbell of the jobs it admitted (publish, then mark
published) can run here, so the attempt goes on at once: in one process the publish and the
mark were a third of a drained job's claim (4.2-4.7 against 2.7-2.9 ms; `python -m
bench.attempt_steps`; bench/results/round-05089f3-0940f7a.md). Under a drain, though, both
cores are busy, and handing each doorbell to this thread (which, before, handed each
publish on to the publish thread pool) cost more CPU than it saved waiting: the attempt's own
thread rings it by default (see adapters.celery.task_queue; in a pool process this thread,
when on, publishes itself too). The work runs in order on one daemon thread, started by the
first submit in each process (a forked child starts its own); it holds its connection only
while work keeps coming, and closes it after an error. Work lost with the process is never
lost for the job: the relay publishes every entry left unmarked.

SQLite allows one writer at a time, so there the work always runs at once, in the caller's
thread.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from queue import Empty, SimpleQueue

from django.conf import settings
from django.db import connection

from domain.ports import AtOnce, Background

logger = logging.getLogger(__name__)
IDLE_SECONDS = 30.0
CHECK_AFTER_SECONDS = 1.0


class DatabaseThread:
    def __init__(self, *, idle_seconds: float = IDLE_SECONDS) -> None:
        self._idle_seconds = idle_seconds
        self._work: SimpleQueue[Callable[[], object]] = SimpleQueue()
        self._lock = threading.Lock()
        self._running_in_pid = 0

    def submit(self, work: Callable[[], object]) -> None:
        with self._lock:
            if self._running_in_pid != os.getpid():  # none yet in this (possibly forked) process
                self._work = SimpleQueue()  # what a parent left queued is the parent's
                self._running_in_pid = os.getpid()
                threading.Thread(target=self._run, args=(self._work,), name="database-background", daemon=True).start()
            self._work.put(work)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until the work submitted so far has run (tests, shutdown); False on timeout."""
        done = threading.Event()
        self.submit(done.set)
        return done.wait(timeout)

    def _run(self, queue: SimpleQueue[Callable[[], object]]) -> None:
        checked_at = -CHECK_AFTER_SECONDS
        while True:
            try:
                work = queue.get(timeout=self._idle_seconds)
            except Empty:
                connection.close()  # hold no connection while nothing comes
                continue
            try:
                # The connection's health and age check (a round trip) at most once a second, as
                # a request would make it: before work that follows a pause, and every second of
                # work that keeps coming (a drain), not before each item; a connection that breaks
                # in between fails one work item, then is closed below.
                if time.monotonic() - checked_at > CHECK_AFTER_SECONDS:
                    checked_at = time.monotonic()
                    connection.close_if_unusable_or_obsolete()
                work()
            except Exception:
                logger.exception("background work failed; the outbox relay publishes what it left")
                connection.close()  # a broken connection is not used again


def background_for_database() -> Background:
    """A database thread where the database takes concurrent writers (and PUBLISH_IN_BACKGROUND
    is on); elsewhere, at once."""
    wanted = getattr(settings, "PUBLISH_IN_BACKGROUND", False)
    return DatabaseThread() if wanted and connection.vendor == "postgresql" else AtOnce()
