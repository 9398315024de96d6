"""Idempotency-Key records over the Django ORM; the unique (owner, key) decides races."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from adapters.orm.models import IdempotencyKeyRecord
from adapters.orm.prepared import prepared
from adapters.orm.statements import write_later_checked
from domain.ports.idempotency import Answer, IdempotencyKeyHeld, IdempotencyRecord

# One statement (one round trip) claims a new key or takes over an expired one; a live key
# makes it return nothing. PostgreSQL and SQLite (3.35+) both speak this upsert.
_CLAIM = f"""INSERT INTO {IdempotencyKeyRecord._meta.db_table}
        (owner_id, key, fingerprint, response, created_at, expires_at)
    VALUES (%s, %s, %s, %s, %s, %s)
    ON CONFLICT (owner_id, key) DO UPDATE
        SET fingerprint = excluded.fingerprint, response = excluded.response,
            created_at = excluded.created_at, expires_at = excluded.expires_at
        WHERE {IdempotencyKeyRecord._meta.db_table}.expires_at <= %s
    RETURNING id
"""
_RESPONSE = IdempotencyKeyRecord._meta.get_field("response")


class DjangoIdempotencyRepository:
    def claim(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime, response: Answer = None
    ) -> IdempotencyRecord | None:
        at, until = (connection.ops.adapt_datetimefield_value(value) for value in (now, expires_at))
        answer = _RESPONSE.get_db_prep_value(response, connection)
        with connection.cursor() as cursor:
            cursor.execute(prepared(_CLAIM), [owner_id, key, fingerprint, answer, at, until, at])
            if cursor.fetchone() is not None:
                return None
        held = IdempotencyKeyRecord.objects.get(owner_id=owner_id, key=key)
        return IdempotencyRecord(
            owner_id=owner_id,
            key=key,
            fingerprint=held.fingerprint,
            response=held.response,
            created_at=held.created_at,
        )

    def claim_with_commit(
        self, owner_id: int, key: str, *, fingerprint: str, now: datetime, expires_at: datetime, response: Answer
    ) -> None:
        # the same upsert, checked: it returns no row when a live key holds it
        at, until = (connection.ops.adapt_datetimefield_value(value) for value in (now, expires_at))
        params = [owner_id, key, fingerprint, _RESPONSE.get_db_prep_value(response, connection), at, until, at]
        if write_later_checked(_CLAIM, params, error=IdempotencyKeyHeld(key)):
            return
        if self.claim(owner_id, key, fingerprint=fingerprint, now=now, expires_at=expires_at, response=response):
            raise IdempotencyKeyHeld(key)

    def purge_expired(self, now: datetime) -> int:
        deleted, _ = IdempotencyKeyRecord.objects.filter(expires_at__lte=now).delete()
        return deleted
