"""Admission: which of an owner's waiting jobs may start now.

The broker only carries "this job may start now". A waiting job is dispatched (its delivery
written to the outbox and published) when its owner's limits allow a start: at most
`max_running` of the owner's jobs running or about to, at most `starts_per_minute` starts,
and at most `dispatch_window` of its jobs waiting in the broker at once. The rest wait in the
database, which orders starts fairly: an owner with a thousand waiting jobs has only a few in
the broker, so another owner's job is dispatched behind those few, not behind the thousand.
Decisions for one owner are taken under a lock on its row, so the limits hold across every
worker and host.

When the window is an owner's only limit, it is refilled in batches: once half of it is
free, not after every start. Each refill costs a query for the next jobs, their dispatch, an
outbox insert and a publish, so a backlog drains with half as many (a quarter with a window
of 8), and the broker still holds between half a window and a whole one of the owner's jobs,
enough to keep its workers fed. Running and start limits are exact: under them, a job is
dispatched as soon as they allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.job import Job
from domain.ports import DispatchLoad, UnitOfWork
from domain.start_bucket import StartBucket

# How many jobs of kinds without owner limits (e.g. notifications) one admission dispatches.
UNLIMITED_BATCH = 200


class ExecutionLimits(BaseModel):
    """How many of one owner's jobs may run and start; 0 means no limit."""

    model_config = ConfigDict(frozen=True)

    max_running: int = Field(default=0, ge=0)
    starts_per_minute: int = Field(default=0, ge=0)
    dispatch_window: int = Field(default=4, ge=1)

    @property
    def refill_batch(self) -> int:
        """How much of the window must be free before admission refills it: half of it when
        the window is the only limit, else 1."""
        if self.max_running or self.starts_per_minute:
            return 1
        return max(1, self.dispatch_window // 2)


class OwnerLimits(Protocol):
    """The execution limits of an owner (settings, possibly overridden per owner)."""

    def for_owner(self, owner_id: int) -> ExecutionLimits: ...


class SameLimitsForAll:
    def __init__(self, limits: ExecutionLimits) -> None:
        self._limits = limits

    def for_owner(self, owner_id: int) -> ExecutionLimits:
        return self._limits


class Dispatching(Protocol):
    """What admission needs from the transaction it runs in."""

    uow: UnitOfWork
    now: datetime

    def save(self, job: Job) -> None: ...

    def deliver(self, job: Job) -> None:
        """Write the delivery of the job's next attempt to the outbox."""


class Admission:
    def __init__(self, *, limits: OwnerLimits, limited_kinds: Sequence[str], unlimited_kinds: Sequence[str]) -> None:
        self._limits = limits
        self._limited = list(limited_kinds)
        self._unlimited = list(unlimited_kinds)

    def admit_new(self, tx: Dispatching, job: Job) -> tuple[bool, str]:
        """Dispatch a job about to be inserted, when it may start now and none of its owner's
        older jobs waits for admission (they go first): the common case of a submission costs
        one count, and the job is inserted already dispatched.

        Returns whether it was dispatched and, when not, why it waits if that is settled
        already (no room for any start of this owner: nothing else in this transaction can
        change that without a transition of its own); an empty reason leaves it to `admit`."""
        if not job.is_due(tx.now):
            return False, ""
        if job.kind in self._unlimited:
            job.dispatch(now=tx.now)
            return True, ""
        limits = self._limits.for_owner(job.owner_id)
        bucket = self._lock(tx, job.owner_id, limits)
        load = tx.uow.jobs.dispatch_load(job.owner_id, tx.now, kinds=self._limited)
        capacity, reason = _capacity(load, limits, bucket)
        if capacity < 1:
            return False, reason
        if load.waiting:
            return False, ""
        job.dispatch(now=tx.now)
        if bucket is not None:
            if limits.starts_per_minute:
                bucket.take()
            tx.uow.start_buckets.save(bucket)
        return True, ""

    def admit(self, tx: Dispatching, owner_id: int, *, after_end: bool = False) -> tuple[set[UUID], str]:
        """Dispatch what the owner's limits allow; the ids dispatched, and why the rest waits.

        `after_end`: the only change was a job that left running. Without a running limit that
        leaves no more room than before (the window counts jobs waiting in the broker, and the
        start budget refills with time), so there is nothing to count: the common end of a job
        costs no admission. Jobs that came to wait in the same transaction are not this case."""
        admitted: set[UUID] = set()
        limits = self._limits.for_owner(owner_id)
        if after_end and not limits.max_running:
            return admitted, ""
        load = tx.uow.jobs.dispatch_load(owner_id, tx.now, kinds=self._limited, exempt_kinds=self._unlimited)
        if load.exempt_waiting:
            for job in tx.uow.jobs.next_to_dispatch(owner_id, tx.now, kinds=self._unlimited, limit=UNLIMITED_BATCH):
                admitted.add(self._dispatch(tx, job))
        if not load.waiting:
            return admitted, ""  # the common case: nothing of this owner waits for admission
        bucket = self._lock(tx, owner_id, limits)
        if bucket is not None:  # count again under the lock
            load = tx.uow.jobs.dispatch_load(owner_id, tx.now, kinds=self._limited)
        capacity, reason = _capacity(load, limits, bucket, in_batches=True)
        if capacity > 0:
            jobs = tx.uow.jobs.next_to_dispatch(owner_id, tx.now, kinds=self._limited, limit=capacity)
            for job in jobs:
                admitted.add(self._dispatch(tx, job))
            if bucket is not None and limits.starts_per_minute:
                bucket.take(len(jobs))
        if bucket is not None:
            tx.uow.start_buckets.save(bucket)
        return admitted, reason

    @staticmethod
    def _lock(tx: Dispatching, owner_id: int, limits: ExecutionLimits) -> StartBucket | None:
        """The owner's lock (its start bucket, refilled), when a limit needs one: concurrent
        admissions then see each other's dispatches, so the limits hold. (The dispatch
        window alone is a soft bound and takes no lock.)"""
        if not (limits.max_running or limits.starts_per_minute):
            return None
        bucket = tx.uow.start_buckets.lock(owner_id, now=tx.now, initial_tokens=limits.starts_per_minute)
        if limits.starts_per_minute:
            bucket.refill(now=tx.now, per_minute=limits.starts_per_minute)
        return bucket

    @staticmethod
    def _dispatch(tx: Dispatching, job: Job) -> UUID:
        job.dispatch(now=tx.now)
        tx.save(job)
        tx.deliver(job)
        return job.id


def _capacity(
    load: DispatchLoad, limits: ExecutionLimits, bucket: StartBucket | None, *, in_batches: bool = False
) -> tuple[int, str]:
    """How many more jobs may be dispatched now, and what holds back the ones beyond.
    `in_batches`: the window is refilled only once a batch's worth of it is free."""
    capacity = limits.dispatch_window - load.dispatched
    reason = f"{load.dispatched} of its jobs already wait for a worker (at most {limits.dispatch_window} at once)"
    if in_batches and 0 < capacity < limits.refill_batch:
        capacity = 0
        reason += f"; it is refilled once {limits.refill_batch} places are free"
    if limits.max_running:
        room = limits.max_running - load.running - load.dispatched
        if room < capacity:
            capacity = room
            reason = f"{load.running} of its jobs run and {load.dispatched} are about to (limit {limits.max_running})"
    if bucket is not None and limits.starts_per_minute and bucket.whole_tokens < capacity:
        capacity = bucket.whole_tokens
        reason = f"it started {limits.starts_per_minute} jobs in the last minute (limit {limits.starts_per_minute}/min)"
    return max(capacity, 0), reason
