"""The transactional outbox over the Django ORM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db import connection
from django.db.models import F, Q

from adapters.orm.models import OutboxRecord
from adapters.orm.prepared import prepared
from adapters.orm.statements import Table
from domain.ports import Delivery, OutboxEntry

_OUTBOX = Table(OutboxRecord)


class DjangoOutboxRepository:
    def add_many(self, deliveries: Sequence[Delivery], *, available_at: datetime, now: datetime) -> None:
        # one INSERT, deferred: it travels with the transaction's next statement or its COMMIT
        _OUTBOX.insert(
            [
                {
                    "job_id": delivery.job_id,
                    "kind": delivery.kind,
                    "attempt": delivery.attempt,
                    "queue": delivery.queue,
                    "correlation": delivery.correlation,
                    "available_at": available_at,
                    "created_at": now,
                    "published_at": None,
                    "publish_failures": 0,
                    "last_error": "",
                }
                for delivery in deliveries
            ]
        )

    def claim_due(self, now: datetime, *, limit: int, ids: list[int] | None = None) -> list[OutboxEntry]:
        # SKIP LOCKED: concurrent relays (and the publish right after commit) share the work
        records = OutboxRecord.objects.select_for_update(skip_locked=True).filter(
            published_at__isnull=True, available_at__lte=now
        )
        if ids is not None:
            records = records.filter(id__in=ids)
        return [
            OutboxEntry(
                id=r.id,
                delivery=Delivery(
                    job_id=r.job_id, kind=r.kind, attempt=r.attempt, queue=r.queue, correlation=r.correlation
                ),
                available_at=r.available_at,
            )
            for r in records.order_by("available_at", "id")[:limit]
        ]

    def mark_published(self, ids: list[int], *, now: datetime) -> None:
        if ids:
            OutboxRecord.objects.filter(id__in=ids, published_at__isnull=True).update(published_at=now)

    def record_failure(self, deliveries: Sequence[Delivery], *, error: str) -> None:
        OutboxRecord.objects.filter(_pending(deliveries)).update(
            publish_failures=F("publish_failures") + 1, last_error=error
        )

    def has_pending(self, job_id: UUID) -> bool:
        return OutboxRecord.objects.filter(job_id=job_id, published_at__isnull=True).exists()

    def purge_published(self, before: datetime) -> int:
        deleted, _ = OutboxRecord.objects.filter(published_at__lt=before).delete()
        return deleted


def _pending(deliveries: Sequence[Delivery]) -> Q:
    """The unpublished entries of these deliveries, known by job and attempt."""
    keys = Q()
    for delivery in deliveries:
        keys |= Q(job_id=delivery.job_id, attempt=delivery.attempt)
    return keys & Q(published_at__isnull=True)


# One statement in its own transaction whose commit does not wait for the WAL to reach disk;
# the deliveries' (job, attempt) pairs travel as two arrays. Prepared: it runs after every submit.
_RELAXED_MARK = f"""WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
    UPDATE {OutboxRecord._meta.db_table} SET published_at = %s FROM relaxed
    WHERE published_at IS NULL AND (job_id, attempt) IN (SELECT * FROM unnest(%s::uuid[], %s::integer[]))
"""


# The same, durable: its commit waits for the disk, and it writes every entry of the deliveries
# (a marked one keeps its time), so WAL is written and flushed up to it, and with it whatever
# this connection committed before without waiting (a submit's commit).
_DURABLE_MARK = f"""UPDATE {OutboxRecord._meta.db_table} SET published_at = COALESCE(published_at, %s)
    WHERE (job_id, attempt) IN (SELECT * FROM unnest(%s::uuid[], %s::integer[]))
"""


class DjangoPublishedMarks:
    """Marks what the dispatcher published right after a commit, in one self-committing
    statement. On PostgreSQL that commit does not wait for the WAL flush: a crash may lose the
    mark, and the relay then publishes the entry again, which workers skip as a duplicate;
    unless asked to be durable. Inside a transaction (whose other work must stay durable) it is
    a plain UPDATE."""

    def mark_published(self, deliveries: Sequence[Delivery], *, now: datetime, durable: bool = False) -> None:
        if not deliveries:
            return
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            OutboxRecord.objects.filter(_pending(deliveries)).update(published_at=now)
            return
        jobs = [delivery.job_id for delivery in deliveries]
        attempts = [delivery.attempt for delivery in deliveries]
        with connection.cursor() as cursor:
            sql = _DURABLE_MARK if durable else _RELAXED_MARK
            cursor.execute(prepared(sql), [connection.ops.adapt_datetimefield_value(now), jobs, attempts])
