"""The Django unit of work: one `transaction.atomic` block, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from django.db import transaction

from adapters.orm.dead_messages import DjangoDeadMessageRepository
from adapters.orm.idempotency import DjangoIdempotencyRepository
from adapters.orm.outbox import DjangoOutboxRepository
from adapters.orm.repositories import DjangoJobRepository, DjangoReportRepository, DjangoStartBucketRepository
from adapters.orm.schedules import DjangoScheduleRepository, DjangoSchedulerLeaseRepository


class DjangoUnitOfWork:
    def __init__(self) -> None:
        self.jobs = DjangoJobRepository()
        self.reports = DjangoReportRepository()
        self.outbox = DjangoOutboxRepository()
        self.idempotency = DjangoIdempotencyRepository()
        self.dead_messages = DjangoDeadMessageRepository()
        self.start_buckets = DjangoStartBucketRepository()
        self.schedules = DjangoScheduleRepository()
        self.scheduler_leases = DjangoSchedulerLeaseRepository()
        self._atomic: transaction.Atomic | None = None

    def __enter__(self) -> DjangoUnitOfWork:
        if self._atomic is not None:
            raise RuntimeError("unit of work already open")
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
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
        if exc_type is None:
            transaction.set_rollback(True)  # nothing since the last commit() was asked for
        atomic.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        """Commit now (running after-commit callbacks) and go on in a fresh transaction."""
        if self._atomic is None:
            raise RuntimeError("commit outside a unit of work")
        self._atomic.__exit__(None, None, None)
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def after_commit(self, callback: Callable[[], object]) -> None:
        # robust: a failing doorbell (broker down) is logged; the committed job stays queued
        transaction.on_commit(callback, robust=True)
