"""Scheduled clean-up: expired Idempotency-Keys and long-published outbox entries."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from domain.ports import Clock, UnitOfWork

PUBLISHED_OUTBOX_KEPT = timedelta(days=1)


class HousekeepingReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    idempotency_keys_purged: int
    outbox_entries_purged: int


class PurgeExpiredHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self) -> HousekeepingReport:
        now = self._clock.now()
        with self._uow as uow:
            keys = uow.idempotency.purge_expired(now)
            entries = uow.outbox.purge_published(now - PUBLISHED_OUTBOX_KEPT)
            uow.commit()
        return HousekeepingReport(idempotency_keys_purged=keys, outbox_entries_purged=entries)
