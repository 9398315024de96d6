"""One transaction that moves jobs: the only place a job is saved after a transition.

Saving a job whose transition ended it (succeeded, failed, dead, cancelled) calls the
job-ended hook inside the same transaction, wherever the transition happened: the worker,
the reconciler, a cancel, fan-in. What must follow an end (the parent's fan-in, stopping
children, notifications, metrics) therefore commits or rolls back with the end itself.

Jobs that come to wait for an attempt are not sent to the broker directly: at commit,
admission dispatches what their owners' limits allow (application.jobs.admission), writes
their deliveries to the outbox, and they are published after commit. A job held back gets a
"deferred" event saying why.

A new job takes its correlation (request id, trace context) from the job whose end caused it,
from its parent, or else from where it is added (the request or task at hand); its
deliveries carry it to the worker, so every log line and span about the job joins the
request's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from application import actors
from application.jobs.admission import Admission
from application.jobs.outbox_dispatcher import OutboxDispatcher
from application.jobs.registry import JobKinds
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Delivery, OutboxEntry, UnitOfWork


class JobEndedListener(Protocol):
    def __call__(self, transition: Transition, job: Job, /) -> None:
        """`job` has just ended and is saved; act inside the same transaction."""


Correlation = Callable[[], dict[str, str]]
"""The correlation of what is running now (the request or the task): request_id, traceparent."""


def no_correlation() -> dict[str, str]:
    return {}


class Transition:
    def __init__(
        self,
        uow: UnitOfWork,
        *,
        now: datetime,
        actor: str,
        kinds: JobKinds,
        on_job_ended: Sequence[JobEndedListener],
        dispatcher: OutboxDispatcher,
        admission: Admission,
        correlation: Correlation = no_correlation,
    ) -> None:
        self.uow = uow
        self.now = now
        self.actor = actor
        self.kinds = kinds
        self._on_job_ended = on_job_ended
        self._dispatcher = dispatcher
        self._admission = admission
        self._correlation = correlation
        self._cause: Job | None = None  # the job whose end is being handled
        self._deliveries: list[Delivery] = []  # written to the outbox together at commit
        self._new_waiting: list[Job] = []  # came to wait here: dispatched at commit, or told why not
        self._owners: set[int] = set()  # owners whose limits may now allow a start
        self._ended_only: set[int] = set()  # of those, owners whose only change is a job that left running

    def add(self, job: Job) -> None:
        """Insert a new job, dispatched already if its owner's limits allow it to start now;
        otherwise it waits for admission at commit."""
        if not job.correlation:
            job.correlation = dict(self._cause.correlation) if self._cause else self._correlation()
        dispatched, settled = self._admission.admit_new(self, job)
        if settled:  # no room for its owner: inserted deferred, admission at commit would only agree
            job.defer(now=self.now, actor=actors.SYSTEM, reason=settled)
        self.uow.jobs.add(job)
        if dispatched:
            self.deliver(job)
        elif not settled:
            self.schedule(job)

    def new_job(self, kind: str, *, parent: Job, payload: dict[str, Any] | None = None) -> Job:
        """A child of `parent`, on the parent's queue, inserted and scheduled. It inherits the
        parent's payload (what the parent works on) and records the parent's attempt: after a
        replay the parent plans anew, and children of an earlier plan no longer count."""
        child = self.kinds.create(
            kind,
            owner_id=parent.owner_id,
            now=self.now,
            actor=actors.SYSTEM,
            queue=parent.queue,
            parent=parent,
            payload={**parent.payload, **(payload or {}), "parent_attempt": parent.attempts},
            priority=parent.priority,
        )
        child.correlation = dict(parent.correlation)
        self.add(child)
        return child

    def save(self, job: Job) -> None:
        """Persist the job's transitions; if one ended it, run the job-ended hook."""
        ended = job.has_just_ended
        moves = [event for event in job.new_events if event.from_status != event.to_status]
        if any(event.from_status is not JobStatus.RUNNING for event in moves):
            self.consider(job.owner_id)  # a start (or a cancel) leaves room in its dispatch window
        elif moves and job.owner_id not in self._owners:
            # a job left running: that makes room only under a running limit (admission decides)
            self._owners.add(job.owner_id)
            self._ended_only.add(job.owner_id)
        self.uow.jobs.save(job)
        if ended:
            self._cause = job
            try:
                for listener in self._on_job_ended:
                    listener(self, job)
            finally:
                self._cause = None

    def schedule(self, job: Job) -> None:
        """The job now waits for an attempt: admission decides at commit when it may start."""
        if job.is_waiting and job.dispatched_at is None:
            self._new_waiting.append(job)
            self.consider(job.owner_id)

    def consider(self, owner_id: int) -> None:
        """Let admission look at this owner's waiting jobs at commit."""
        self._owners.add(owner_id)
        self._ended_only.discard(owner_id)

    def deliver(self, job: Job) -> None:
        """Write the delivery of the job's next attempt to the outbox (it was admitted): at
        commit, with the transaction's other deliveries, in one insert."""
        self._deliveries.append(
            Delivery(
                job_id=job.id,
                kind=job.kind,
                attempt=job.attempts + 1,
                queue=job.queue,
                correlation={**job.correlation, "user_id": str(job.owner_id)},
            )
        )

    def commit(self, *, wait_for_publish: bool = True, disk_after_doorbell: bool = False) -> int:
        """Admit what may start, commit, then publish the deliveries (what fails to publish
        waits for the relay). Returns how many deliveries were written.

        `wait_for_publish=False` leaves the publish to the background, for a caller whose
        deliveries are not what anyone waits for: in a committing thread the doorbell rings at
        once, while a background thread would ring it only once this one lets go of the
        interpreter (an idle job's submit-to-done took 1 ms longer).

        `disk_after_doorbell`: when there are deliveries, the commit does not wait for the disk
        but their publish does, after the doorbell rang (its mark, or the failure it records,
        is a commit that waits): the caller still returns only once all is on disk, and a
        worker starts a flush earlier. A worker that ran such a job before a database crash
        lost it finds nothing to do; its own commits, which wait, put the job on disk first."""
        admitted: set[Any] = set()
        reasons: dict[int, str] = {}
        for owner_id in sorted(self._owners):
            ids, reasons[owner_id] = self._admission.admit(self, owner_id, after_end=owner_id in self._ended_only)
            admitted |= ids
        for job in self._new_waiting:
            if job.id not in admitted and job.is_due(self.now) and job.dispatched_at is None and reasons[job.owner_id]:
                job.defer(now=self.now, actor=actors.SYSTEM, reason=reasons[job.owner_id])
                self.uow.jobs.save(job)
        self._new_waiting, self._owners, self._ended_only = [], set(), set()
        deliveries, self._deliveries = self._deliveries, []
        if deliveries:
            self.uow.outbox.add_many(deliveries, available_at=self.now, now=self.now)
            entries = [OutboxEntry(delivery=delivery, available_at=self.now) for delivery in deliveries]
            if not wait_for_publish:
                self.uow.after_commit(lambda: self._dispatcher.publish_soon(entries))
            elif disk_after_doorbell:
                self.uow.relax_durability()
                # not robust: if the durable mark fails, the caller must not answer as if on disk
                self.uow.after_commit(lambda: self._dispatcher.publish(entries, durable=True), robust=False)
            else:
                self.uow.after_commit(lambda: self._dispatcher.publish(entries))
        self.uow.commit()
        return len(deliveries)


class JobTransitions:
    """Opens transitions wired to the registry, admission, the job-ended listeners and the outbox."""

    def __init__(
        self,
        *,
        kinds: JobKinds,
        on_job_ended: Sequence[JobEndedListener],
        dispatcher: OutboxDispatcher,
        admission: Admission,
        correlation: Correlation = no_correlation,
    ) -> None:
        self.kinds = kinds
        self._on_job_ended = list(on_job_ended)
        self._dispatcher = dispatcher
        self._admission = admission
        self._correlation = correlation

    def begin(self, uow: UnitOfWork, *, now: datetime, actor: str) -> Transition:
        """A transition in `uow`, which the caller has entered."""
        return Transition(
            uow,
            now=now,
            actor=actor,
            kinds=self.kinds,
            on_job_ended=self._on_job_ended,
            dispatcher=self._dispatcher,
            admission=self._admission,
            correlation=self._correlation,
        )
