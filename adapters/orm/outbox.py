"""The transactional outbox over the Django ORM."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import F

from adapters.orm.models import OutboxRecord
from domain.ports import Delivery, OutboxEntry


class DjangoOutboxRepository:
    def add(self, delivery: Delivery, *, available_at: datetime, now: datetime) -> int:
        record = OutboxRecord.objects.create(
            job_id=delivery.job_id,
            kind=delivery.kind,
            attempt=delivery.attempt,
            queue=delivery.queue,
            correlation=delivery.correlation,
            available_at=available_at,
            created_at=now,
        )
        return record.id

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
        # one UPDATE: outside a transaction (the dispatcher after a commit) it commits itself
        if ids:
            OutboxRecord.objects.filter(id__in=ids, published_at__isnull=True).update(published_at=now)

    def record_failure(self, ids: list[int], *, error: str) -> None:
        OutboxRecord.objects.filter(id__in=ids).update(publish_failures=F("publish_failures") + 1, last_error=error)

    def has_pending(self, job_id: UUID) -> bool:
        return OutboxRecord.objects.filter(job_id=job_id, published_at__isnull=True).exists()

    def purge_published(self, before: datetime) -> int:
        deleted, _ = OutboxRecord.objects.filter(published_at__lt=before).delete()
        return deleted
