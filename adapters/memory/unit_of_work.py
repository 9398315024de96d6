from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from types import TracebackType

from adapters.memory.idempotency import InMemoryIdempotencyRepository
from adapters.memory.notifications import (
    InMemoryEmailPreferencesRepository,
    InMemoryNotificationEventRepository,
    InMemoryNotificationTargets,
    InMemoryWebhookDeliveryRepository,
    InMemoryWebhookEndpointRepository,
)
from adapters.memory.outbox import InMemoryOutboxRepository
from adapters.memory.repositories import (
    InMemoryDeadMessageRepository,
    InMemoryJobRepository,
    InMemoryReportRepository,
    InMemoryStartBucketRepository,
    InMemoryState,
)
from adapters.memory.schedules import InMemoryScheduleRepository, InMemorySchedulerLeaseRepository


class InMemoryUnitOfWork:
    """Works on a copy of the state; commit publishes the copy, anything else discards it."""

    def __init__(self, state: InMemoryState | None = None) -> None:
        self.state = state or InMemoryState()
        self.commits = 0
        self.relaxed_commits = 0
        self.idle_bounds: list[float] = []
        self.callback_errors: list[Exception] = []
        self._working: InMemoryState | None = None
        self._callbacks: list[tuple[Callable[[], object], bool]] = []  # (callback, robust)

    def __enter__(self) -> InMemoryUnitOfWork:
        if self._working is not None:
            raise RuntimeError("unit of work already open")
        self._callbacks = []
        self._open(copy.deepcopy(self.state))
        return self

    def _open(self, working: InMemoryState) -> None:
        self._working = working
        self.jobs = InMemoryJobRepository(working)
        self.reports = InMemoryReportRepository(working)
        self.outbox = InMemoryOutboxRepository(working)
        self.idempotency = InMemoryIdempotencyRepository(working)
        self.dead_messages = InMemoryDeadMessageRepository(working)
        self.start_buckets = InMemoryStartBucketRepository(working)
        self.schedules = InMemoryScheduleRepository(working)
        self.scheduler_leases = InMemorySchedulerLeaseRepository(working)
        self.webhook_endpoints = InMemoryWebhookEndpointRepository(working)
        self.webhook_deliveries = InMemoryWebhookDeliveryRepository(working)
        self.notification_events = InMemoryNotificationEventRepository(working)
        self.email_preferences = InMemoryEmailPreferencesRepository(working)
        self.notification_targets = InMemoryNotificationTargets(working)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._working = None
        self._callbacks = []

    def commit(self) -> None:
        if self._working is None:
            raise RuntimeError("commit outside a unit of work")
        for held in dataclasses.fields(self.state):
            setattr(self.state, held.name, getattr(self._working, held.name))
        self.commits += 1
        callbacks, self._callbacks = self._callbacks, []
        for callback, robust in callbacks:
            if not robust:
                callback()  # what it raises leaves the commit, which stands (as Django's does)
                continue
            # like the Django unit of work: the commit stands even if the doorbell fails
            try:
                callback()
            except Exception as exc:
                self.callback_errors.append(exc)
        self._open(copy.deepcopy(self.state))  # go on in a fresh transaction that sees the callbacks' work

    def after_commit(self, callback: Callable[[], object], *, robust: bool = True) -> None:
        self._callbacks.append((callback, robust))

    def relax_durability(self) -> None:
        self.relaxed_commits += 1  # memory has no disk: only counted, for the tests

    def bound_idle_time(self, seconds: float) -> None:
        self.idle_bounds.append(seconds)  # memory holds no locks: only noted, for the tests
