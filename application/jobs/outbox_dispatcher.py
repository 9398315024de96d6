"""Publishes outbox entries to the task queue: right after commit, and by the scheduled relay.

The outbox row is the record; publishing is only the doorbell. An entry is marked published
in the transaction that holds its row lock, so two relays never publish it concurrently; a
crash between publishing and commit publishes it again, which workers treat as a duplicate.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict

from domain.ports import Clock, QueueUnavailable, TaskQueue, UnitOfWork

logger = logging.getLogger(__name__)


class RelayReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    published: int
    failed: int


class OutboxDispatcher:
    def __init__(self, *, uow: UnitOfWork, queue: TaskQueue, clock: Clock, batch_size: int = 200) -> None:
        self._uow = uow
        self._queue = queue
        self._clock = clock
        self._batch_size = batch_size

    def publish(self, ids: list[int]) -> RelayReport:
        """Publish these entries now if they are due; what fails stays for the relay."""
        return self._publish_batch(ids)

    def relay(self, *, max_batches: int = 20) -> RelayReport:
        """Publish everything due, batch by batch, until done or the broker refuses."""
        published = failed = 0
        for _ in range(max_batches):
            report = self._publish_batch(None)
            published, failed = published + report.published, failed + report.failed
            if report.failed or report.published < self._batch_size:
                break
        return RelayReport(published=published, failed=failed)

    def _publish_batch(self, ids: list[int] | None) -> RelayReport:
        with self._uow as uow:
            entries = uow.outbox.claim_due(self._clock.now(), limit=self._batch_size, ids=ids)
            done: list[int] = []
            failed: list[int] = []
            for entry in entries:
                if failed:
                    failed.append(entry.id)  # the broker just refused: do not wait on it again
                    continue
                try:
                    self._queue.enqueue(entry.delivery)
                    done.append(entry.id)
                except QueueUnavailable as exc:
                    logger.warning("outbox: broker unavailable, %d entries wait for the relay: %s", len(entries), exc)
                    failed.append(entry.id)
                    uow.outbox.record_failure([entry.id], error=str(exc))
            uow.outbox.mark_published(done, now=self._clock.now())
            uow.commit()
        return RelayReport(published=len(done), failed=len(failed))
