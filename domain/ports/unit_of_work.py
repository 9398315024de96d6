from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from domain.ports.dead_messages import DeadMessageRepository
from domain.ports.idempotency import IdempotencyRepository
from domain.ports.notifications import (
    EmailPreferencesRepository,
    NotificationEventRepository,
    NotificationTargetsReader,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)
from domain.ports.outbox import OutboxRepository
from domain.ports.repositories import JobRepository, ReportRepository, StartBucketRepository
from domain.ports.schedules import ScheduleRepository, SchedulerLeaseRepository


class UnitOfWork(Protocol):
    """One transaction. Commits only when told to; rolls back on exit otherwise.

    `after_commit` callbacks run once the transaction has committed, and never if it
    rolls back: that is where broker calls belong.
    """

    jobs: JobRepository
    reports: ReportRepository
    outbox: OutboxRepository
    idempotency: IdempotencyRepository
    dead_messages: DeadMessageRepository
    start_buckets: StartBucketRepository
    schedules: ScheduleRepository
    scheduler_leases: SchedulerLeaseRepository
    webhook_endpoints: WebhookEndpointRepository
    webhook_deliveries: WebhookDeliveryRepository
    notification_events: NotificationEventRepository
    email_preferences: EmailPreferencesRepository
    notification_targets: NotificationTargetsReader

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def after_commit(self, callback: Callable[[], object], *, robust: bool = True) -> None:
        """Run `callback` once the next commit is done. Robust: what it raises is logged, and
        the commit returns as usual; else it raises from the commit (which stands)."""

    def relax_durability(self) -> None:
        """The next commit need not wait until its changes are on disk: the caller knows that
        something else recovers them if a database crash right after the commit loses them.
        Any later commit that waits (the default) puts them on disk first."""

    def bound_idle_time(self, seconds: float) -> None:
        """Should this transaction then sit idle (no statement) for longer than `seconds`, the
        database ends it, rolled back, with its connection: its locks are not held longer."""
