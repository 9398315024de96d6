"""One transaction that moves jobs: the only place a job is saved after a transition.

Saving a job whose transition ended it (succeeded, failed, dead, cancelled) calls the
job-ended hook inside the same transaction, wherever the transition happened: the worker,
the reconciler, a cancel, fan-in. What must follow an end (the parent's fan-in, stopping
children, notifications, metrics) therefore commits or rolls back with the end itself.
Deliveries scheduled here are written to the outbox and published after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from application import actors
from application.jobs.outbox_dispatcher import OutboxDispatcher
from application.jobs.registry import JobKinds
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Delivery, OutboxEntry, UnitOfWork


class JobEndedListener(Protocol):
    def __call__(self, transition: Transition, job: Job, /) -> None:
        """`job` has just ended and is saved; act inside the same transaction."""


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
    ) -> None:
        self.uow = uow
        self.now = now
        self.actor = actor
        self.kinds = kinds
        self._on_job_ended = on_job_ended
        self._dispatcher = dispatcher
        self._entries: list[OutboxEntry] = []

    def add(self, job: Job) -> None:
        """Insert a new job and schedule its first delivery."""
        self.uow.jobs.add(job)
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
        )
        self.add(child)
        return child

    def save(self, job: Job) -> None:
        """Persist the job's transitions; if one ended it, run the job-ended hook."""
        ended = job.has_just_ended
        self.uow.jobs.save(job)
        if ended:
            for listener in self._on_job_ended:
                listener(self, job)

    def schedule(self, job: Job) -> None:
        """If the job now waits for an attempt, record that attempt's delivery in the outbox."""
        if job.status not in (JobStatus.QUEUED, JobStatus.RETRYING) or job.next_attempt_at is None:
            return
        delivery = Delivery(job_id=job.id, kind=job.kind, attempt=job.attempts + 1, queue=job.queue)
        entry_id = self.uow.outbox.add(delivery, available_at=job.next_attempt_at, now=self.now)
        self._entries.append(OutboxEntry(id=entry_id, delivery=delivery, available_at=job.next_attempt_at))

    def commit(self) -> None:
        """Commit, then publish what was scheduled (what fails to publish waits for the relay)."""
        entries, self._entries = self._entries, []
        if entries:
            self.uow.after_commit(lambda: self._dispatcher.publish(entries))
        self.uow.commit()


class JobTransitions:
    """Opens transitions wired to the registry, the job-ended listeners and the outbox."""

    def __init__(
        self, *, kinds: JobKinds, on_job_ended: Sequence[JobEndedListener], dispatcher: OutboxDispatcher
    ) -> None:
        self.kinds = kinds
        self._on_job_ended = list(on_job_ended)
        self._dispatcher = dispatcher

    def begin(self, uow: UnitOfWork, *, now: datetime, actor: str) -> Transition:
        """A transition in `uow`, which the caller has entered."""
        return Transition(
            uow, now=now, actor=actor, kinds=self.kinds, on_job_ended=self._on_job_ended, dispatcher=self._dispatcher
        )
