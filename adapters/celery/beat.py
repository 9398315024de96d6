"""Celery beat that sends its periodic tasks only while it holds the scheduler lease.

Every beat process competes for one lease row in the database (application.schedules.lease).
The holder renews it every third of `SCHEDULER_LEASE_SECONDS` and sends the engine's periodic
tasks (relay, reconcile, housekeeping, schedule firing) as usual; any other beat is a standby
that sends nothing, tries again every second, and takes over once the lease has expired. A beat
that cannot reach the database does not know whether it still holds the lease, so it stops
sending. The schedule firing carries the sender's name, and does nothing unless that sender
holds the lease, so a firing still queued from a former holder is a no-op too.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
import time
import uuid
from typing import Any

from celery.beat import PersistentScheduler, ScheduleEntry
from django.db import DatabaseError, close_old_connections

from application.schedules.lease import ClaimSchedulerLease
from config.container import container

logger = logging.getLogger(__name__)

FIRE_TASK = "schedules.fire"
STANDBY_RETRY_SECONDS = 1.0


class LeasedScheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.holder = f"beat:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = False
        self._next_claim = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        if now >= self._next_claim:
            self._claim()
            renew_every = container.scheduler_settings().lease_seconds / 3
            # a standby (or a holder that lost the database) tries again soon: it takes over, or
            # resumes, within about a second of the lease becoming free
            self._next_claim = now + (renew_every if self.holding else min(renew_every, STANDBY_RETRY_SECONDS))
        until_claim = max(self._next_claim - time.monotonic(), 0.0)
        if not self.holding:
            return until_claim
        return min(float(super().tick(*args, **kwargs)), until_claim)

    def apply_async(self, entry: ScheduleEntry, producer: Any = None, advance: bool = True, **kwargs: Any) -> Any:
        if entry.task == FIRE_TASK:  # the firing names its sender, so only the lease holder's counts
            entry = copy.copy(entry)
            entry.kwargs = {**(entry.kwargs or {}), "scheduler": self.holder}
        return super().apply_async(entry, producer, advance, **kwargs)

    def close(self) -> None:
        if self.holding:  # stopping cleanly: a standby need not wait for the lease to expire
            try:
                container.release_scheduler_lease()(ClaimSchedulerLease(holder=self.holder))
                logger.info("%s: released the scheduler lease", self.holder)
            except DatabaseError as exc:
                logger.warning("%s: could not release the scheduler lease: %s", self.holder, exc)
            self.holding = False
        super().close()

    def _claim(self) -> None:
        close_old_connections()  # a connection broken since the last claim is replaced, as around a task
        try:
            state = container.claim_scheduler_lease()(ClaimSchedulerLease(holder=self.holder))
        except DatabaseError as exc:
            held, holder = False, "unknown: the database did not answer"
            logger.warning("%s: cannot reach the scheduler lease, sending nothing: %s", self.holder, exc)
        else:
            held, holder = state.held, state.holder
        if held and not self.holding:
            logger.info("%s: holds the scheduler lease, sending the periodic tasks", self.holder)
        elif not held and (self.holding or self._next_claim == 0.0):
            logger.info("%s: standby, the scheduler lease is held by %s", self.holder, holder)
        self.holding = held
