"""The Django unit of work: one `transaction.atomic` block, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from django.db import connection, transaction

from adapters.orm.dead_messages import DjangoDeadMessageRepository
from adapters.orm.idempotency import DjangoIdempotencyRepository
from adapters.orm.notifications import (
    DjangoEmailPreferencesRepository,
    DjangoNotificationEventRepository,
    DjangoNotificationTargets,
    DjangoWebhookDeliveryRepository,
    DjangoWebhookEndpointRepository,
)
from adapters.orm.outbox import DjangoOutboxRepository
from adapters.orm.repositories import DjangoJobRepository, DjangoReportRepository, DjangoStartBucketRepository
from adapters.orm.schedules import DjangoScheduleRepository, DjangoSchedulerLeaseRepository
from adapters.orm.statements import DEFERRED_WRITES, DeferredWrites, bound_idle_time, relax_commit


class DjangoUnitOfWork:
    def __init__(self) -> None:
        self.reports = DjangoReportRepository()
        self.jobs = DjangoJobRepository(reports=self.reports)
        self.outbox = DjangoOutboxRepository()
        self.idempotency = DjangoIdempotencyRepository()
        self.dead_messages = DjangoDeadMessageRepository()
        self.start_buckets = DjangoStartBucketRepository()
        self.schedules = DjangoScheduleRepository()
        self.scheduler_leases = DjangoSchedulerLeaseRepository()
        self.webhook_endpoints = DjangoWebhookEndpointRepository()
        self.webhook_deliveries = DjangoWebhookDeliveryRepository()
        self.notification_events = DjangoNotificationEventRepository()
        self.email_preferences = DjangoEmailPreferencesRepository()
        self.notification_targets = DjangoNotificationTargets()
        self._atomic: transaction.Atomic | None = None
        self._deferring: _Deferring | None = None

    def __enter__(self) -> DjangoUnitOfWork:
        if self._atomic is not None:
            raise RuntimeError("unit of work already open")
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        if DeferredWrites.supported():
            self._deferring = _Deferring()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        atomic, self._atomic = self._atomic, None
        if atomic is None:
            return
        deferring, self._deferring = self._deferring, None
        if deferring is not None:
            deferring.close()  # what is still deferred was never asked to commit
        if exc_type is None:
            transaction.set_rollback(True)  # nothing since the last commit() was asked for
        atomic.__exit__(exc_type, exc, tb)
        self.jobs.rolled_back()
        self.reports.forget_read_ahead()

    def commit(self) -> None:
        """Commit now (running after-commit callbacks) and go on in a fresh transaction."""
        if self._atomic is None:
            raise RuntimeError("commit outside a unit of work")
        if self._deferring is not None:
            self._deferring.writes.flush(commit=self._ends_the_transaction())
        self._atomic.__exit__(None, None, None)
        self.jobs.committed()
        self.reports.forget_read_ahead()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def _ends_the_transaction(self) -> bool:
        """True when leaving this unit of work's block commits the connection's transaction: it
        is the outermost block, Django means to commit it, and nothing marked it for rollback.
        Inside an outer block (a caller's, a test's) the COMMIT is that block's to send."""
        return (
            connection.atomic_blocks == [self._atomic] and connection.commit_on_exit and not connection.needs_rollback
        )

    def relax_durability(self) -> None:
        """On PostgreSQL, this transaction's commit does not wait for the WAL flush
        (synchronous_commit off for it alone); the setting travels with the next statement.
        Elsewhere commits stay as they are."""
        if connection.vendor == "postgresql":
            relax_commit()

    def bound_idle_time(self, seconds: float) -> None:
        """On PostgreSQL, `idle_in_transaction_session_timeout` for this transaction alone; the
        setting travels with the next statement. SQLite has no such bound (nor row locks)."""
        if connection.vendor == "postgresql":
            bound_idle_time(seconds)

    def after_commit(self, callback: Callable[[], object], *, robust: bool = True) -> None:
        # robust: a failing doorbell (broker down) is logged; the committed job stays queued
        transaction.on_commit(callback, robust=robust)


class _Deferring:
    """Deferred writes installed on this thread's connection while a unit of work is open; a
    unit of work opened meanwhile (after a commit, by its callbacks) installs its own and gives
    the connection back its predecessor's when it closes."""

    def __init__(self) -> None:
        self.writes = DeferredWrites()
        self._previous = getattr(connection, DEFERRED_WRITES, None)
        self._wrapper = connection.execute_wrapper(self.writes)
        self._wrapper.__enter__()
        setattr(connection, DEFERRED_WRITES, self.writes)

    def close(self) -> None:
        self.writes.discard()
        setattr(connection, DEFERRED_WRITES, self._previous)
        self._wrapper.__exit__(None, None, None)
