"""Publishes outbox entries to the task queue: right after commit, and by the scheduled relay.

The outbox row is the record; publishing is only the doorbell. The relay marks an entry
published in the transaction that holds its row lock, so two relays never publish it
concurrently; a crash between publishing and commit publishes it again, which workers treat
as a duplicate.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict

from domain.ports import AtOnce, Background, Clock, OutboxEntry, PublishedMarks, QueueUnavailable, TaskQueue, UnitOfWork

logger = logging.getLogger(__name__)


class RelayReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    published: int
    failed: int


class OutboxDispatcher:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        marks: PublishedMarks,
        queue: TaskQueue,
        clock: Clock,
        batch_size: int = 200,
        background: Background | None = None,
    ) -> None:
        self._uow = uow
        self._marks = marks
        self._queue = queue
        self._clock = clock
        self._batch_size = batch_size
        self._background = background or AtOnce()

    def publish_soon(self, entries: list[OutboxEntry]) -> None:
        """`publish` in the background: whoever committed them (an attempt's claim) goes on
        without waiting for the broker or the mark. Nothing is lost if the process dies first:
        the relay publishes every entry still unmarked."""
        self._background.submit(lambda: self.publish(entries))

    def publish(self, entries: list[OutboxEntry], *, durable: bool = False) -> RelayReport:
        """Publish entries a transaction just committed, those already due; what fails stays for
        the relay. Their rows are not locked first (one round trip less on every submit and
        finish): a relay running at the same moment may publish one twice, which workers skip.
        Nor are they marked in a transaction (its BEGIN and COMMIT are two round trips more): a
        crash before the mark publishes them again, like a crash before the relay's commit.

        `durable`: the transaction that committed them did not wait for the disk; the mark of
        what was published, or the failure recorded for what was not, waits for it, so the
        entries and everything committed with them are on disk when this returns."""
        now = self._clock.now()
        # a durable publish follows the commit of entries due now: even if the clock stepped
        # back since, they are published, so that the durable write below always happens
        due = entries if durable else [entry for entry in entries if entry.available_at <= now]
        if not due:
            return RelayReport(published=0, failed=0)
        done, failed, error = self._enqueue(due)
        # when nothing was published, the failure's commit below is the durable one
        durable_mark = durable and bool(done)
        self._marks.mark_published([entry.delivery for entry in done], now=self._clock.now(), durable=durable_mark)
        if failed:
            with self._uow as uow:
                uow.outbox.record_failure([failed[0].delivery], error=error)  # the one the broker refused
                uow.commit()
        return RelayReport(published=len(done), failed=len(failed))

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
            done, failed, error = self._enqueue(entries)
            uow.outbox.mark_published([entry.id for entry in done if entry.id is not None], now=self._clock.now())
            if failed:
                uow.outbox.record_failure([failed[0].delivery], error=error)  # the one the broker refused
            uow.commit()
        return RelayReport(published=len(done), failed=len(failed))

    def _enqueue(self, entries: list[OutboxEntry]) -> tuple[list[OutboxEntry], list[OutboxEntry], str]:
        """Ring the broker for each entry until it refuses: (published, unpublished, error)."""
        for index, entry in enumerate(entries):
            try:
                self._queue.enqueue(entry.delivery)
            except QueueUnavailable as exc:  # do not wait on a broker that just refused
                logger.warning("outbox: broker unavailable, %d entries wait for the relay: %s", len(entries), exc)
                return entries[:index], entries[index:], str(exc)
        return entries, [], ""
