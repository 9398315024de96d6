"""The reconciler: the database, not the broker, decides what must run again.

It hands on jobs whose worker stopped renewing its lease (killed, host lost) and sends
again the delivery of waiting jobs that should have started long ago (message lost in the
broker), or whose delivery a worker took a lease ago without ending its attempt: a worker
lost in the middle of a brief attempt (application.jobs.pipeline), which had committed
nothing, so it is recovered in the same time as a lost lease. Run on a schedule; safe to run
on several hosts at once (rows are locked, and locked rows are skipped).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from application import actors
from application.jobs.settings import JobSettings
from application.jobs.transition import JobTransitions
from domain.ports import Clock, NoTakenDeliveries, TakenDeliveries, UnitOfWork

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
        transitions: JobTransitions,
        clock: Clock,
        settings: JobSettings,
        taken: TakenDeliveries | None = None,
        batch_size: int = 200,
    ) -> None:
        self._uow = uow
        self._taken = taken or NoTakenDeliveries()
        self._transitions = transitions
        self._clock = clock
        self._settings = settings
        self._batch_size = batch_size

    def __call__(self) -> ReconcileReport:
        now = self._clock.now()
        # read before the transaction: a delivery acknowledged meanwhile only finds its job ended
        taken = self._taken.taken_before(now - timedelta(seconds=self._settings.lease_seconds))
        with self._uow as uow:
            transition = self._transitions.begin(uow, now=now, actor=RECONCILER)
            expired = uow.jobs.expired_leases(now, limit=self._batch_size)
            for job in expired:
                retry_at = now + timedelta(seconds=self._settings.retry.delay_for(job.attempts))
                # a chunk that dies here takes its report along (the job-ended hook)
                job.expire_lease(now=now, retry_at=retry_at, actor=RECONCILER)
                transition.schedule(job)
                transition.save(job)
            base = self._settings.redelivery_after_seconds
            overdue = uow.jobs.overdue(
                now, available_before=now - timedelta(seconds=base), limit=self._batch_size, taken=taken
            )
            for job in overdue:
                # Each resend of the same attempt waits twice as long as the last: a job that
                # is merely stuck behind a long queue is not resent over and over.
                wait = base * 2 ** min(job.redeliveries + 1, MAX_REDELIVERY_DOUBLINGS)
                job.redeliver(now=now, actor=RECONCILER, next_check_at=now + timedelta(seconds=wait))
                transition.save(job)
                transition.deliver(job)
            transition.commit()
        return ReconcileReport(leases_expired=len(expired), redelivered=len(overdue))
