"""The reconciler: the database, not the broker, decides what must run again.

It hands on jobs whose worker stopped renewing its lease (killed, host lost) and sends
again the delivery of waiting jobs that should have started long ago (message lost in the
broker). Run on a schedule; safe to run on several hosts at once (rows are locked, and
locked rows are skipped).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from application import actors
from application.attempts import end_parent_with_child, schedule_next_attempt
from application.engine_settings import JobEngineSettings
from application.outbox_dispatcher import OutboxDispatcher
from domain.ports import Clock, UnitOfWork

RECONCILER = f"{actors.SYSTEM}:reconciler"
MAX_REDELIVERY_DOUBLINGS = 6


class ReconcileReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    leases_expired: int
    redelivered: int


class ReconcileJobsHandler:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        dispatcher: OutboxDispatcher,
        clock: Clock,
        engine: JobEngineSettings,
        batch_size: int = 200,
    ) -> None:
        self._uow = uow
        self._dispatcher = dispatcher
        self._clock = clock
        self._engine = engine
        self._batch_size = batch_size

    def __call__(self) -> ReconcileReport:
        entries: list[int] = []
        with self._uow as uow:
            now = self._clock.now()
            expired = uow.jobs.expired_leases(now, limit=self._batch_size)
            for job in expired:
                retry_at = now + timedelta(seconds=self._engine.retry.delay_for(job.attempts))
                job.expire_lease(now=now, retry_at=retry_at, actor=RECONCILER)
                entry = schedule_next_attempt(uow, job, now=now)
                uow.jobs.save(job)
                if job.parent_id is not None and job.is_terminal:
                    end_parent_with_child(uow, job, now=now)  # a chunk that died takes its report along
                if entry is not None:
                    entries.append(entry)
            base = self._engine.redelivery_after_seconds
            overdue = uow.jobs.overdue(now, available_before=now - timedelta(seconds=base), limit=self._batch_size)
            for job in overdue:
                # Each resend of the same attempt waits twice as long as the last: a job that
                # is merely stuck behind a long queue is not resent over and over.
                wait = base * 2 ** min(job.redeliveries + 1, MAX_REDELIVERY_DOUBLINGS)
                job.redeliver(now=now, actor=RECONCILER, next_check_at=now + timedelta(seconds=wait))
                entry = schedule_next_attempt(uow, job, now=now)
                uow.jobs.save(job)
                if entry is not None:
                    entries.append(entry)
            uow.commit()
        if entries:
            self._dispatcher.publish(entries)
        return ReconcileReport(leases_expired=len(expired), redelivered=len(overdue))
