"""Idempotency-Key records over the Django ORM; the unique (owner, key) decides races."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from adapters.orm.models import IdempotencyKeyRecord
from domain.ports import IdempotencyRecord


class DjangoIdempotencyRepository:
    def claim(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime
    ) -> IdempotencyRecord | None:
        IdempotencyKeyRecord.objects.filter(owner_id=owner_id, key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():  # a savepoint: losing the race must not spoil the caller's transaction
                IdempotencyKeyRecord.objects.create(
                    owner_id=owner_id, key=key, fingerprint=fingerprint, created_at=now, expires_at=expires_at
                )
            return None
        except IntegrityError:
            held = IdempotencyKeyRecord.objects.get(owner_id=owner_id, key=key)
            return IdempotencyRecord(
                owner_id=owner_id,
                key=key,
                fingerprint=held.fingerprint,
                response=held.response,
                created_at=held.created_at,
            )

    def complete(self, owner_id: int, key: str, *, response: dict[str, Any]) -> None:
        IdempotencyKeyRecord.objects.filter(owner_id=owner_id, key=key).update(response=response)

    def release(self, owner_id: int, key: str) -> None:
        IdempotencyKeyRecord.objects.filter(owner_id=owner_id, key=key, response__isnull=True).delete()

    def purge_expired(self, now: datetime) -> int:
        deleted, _ = IdempotencyKeyRecord.objects.filter(expires_at__lte=now).delete()
        return deleted
