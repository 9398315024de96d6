from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.job import Job
from domain.job_event import JobEvent
from domain.job_status import JobStatus
from domain.ports.task_queue import TakenDelivery
from domain.report import Report
from domain.start_bucket import StartBucket


@dataclass(frozen=True, slots=True, kw_only=True)
class DispatchLoad:
    """An owner's jobs as admission sees them (only the kinds its limits apply to)."""

    running: int  # running now (a fanned-out parent that only waits for children does not count)
    dispatched: int  # dispatched, not started yet: their delivery is in the broker
    waiting: bool  # some job is due and not dispatched yet: held back by the owner's limits
    exempt_waiting: bool = False  # the same, of the kinds the owner's limits do not apply to


@dataclass(frozen=True, slots=True, kw_only=True)
class JobCursor:
    """Position in a newest-first listing: the (created_at, id) of the last job seen."""

    created_at: datetime
    job_id: UUID


class JobRepository(Protocol):
    def add(self, job: Job) -> None:
        """Insert a new job and its pending events."""

    def save(self, job: Job) -> None:
        """Persist the job's current state and append its pending events, if its row is still
        as it was read (compare-and-set). If not, ConcurrentUpdate is raised: by this call, or
        by the unit of work's next statement or its commit, and nothing of it commits."""

    def get(self, job_id: UUID, *, for_update: bool = False) -> Job | None:
        """The job, optionally locked until the unit of work ends."""

    def get_for_owner(self, job_id: UUID, owner_id: int) -> Job | None: ...

    def list_for_owner(
        self,
        owner_id: int,
        *,
        status: JobStatus | None = None,
        kind: str | None = None,
        parent_id: UUID | None = None,
        schedule_id: UUID | None = None,
        after: JobCursor | None = None,
        limit: int = 50,
    ) -> list[Job]:
        """Newest first, strictly after `after` in that order. `schedule_id`: the jobs of that
        schedule's runs (their payload names it)."""

    def events(self, job_id: UUID) -> list[JobEvent]:
        """The job's audit trail in sequence order."""

    def expired_leases(self, now: datetime, *, limit: int) -> list[Job]:
        """Running jobs whose lease ran out, locked; jobs locked elsewhere are skipped."""

    def overdue(
        self, now: datetime, *, available_before: datetime, limit: int, taken: Collection[TakenDelivery] = ()
    ) -> list[Job]:
        """Waiting jobs dispatched before `available_before`, or whose awaited attempt's
        delivery is in `taken` (or, once resent, whose `redelivery_due_at` has come), with no
        unpublished delivery, that have not started: their message was probably lost, or the
        worker that took it died. Locked, skipping locked ones."""

    def list_dead_letters(self, owner_id: int | None, *, after: JobCursor | None = None, limit: int = 50) -> list[Job]:
        """Dead jobs, newest first; every owner's when `owner_id` is None."""

    def children(self, parent_id: UUID, *, for_update: bool = False) -> list[Job]:
        """The parent's child jobs, oldest first."""

    def save_output(self, job_id: UUID, output: dict[str, Any]) -> None:
        """Keep what a child job hands to its parent (it can be large, so it lives apart)."""

    def children_outputs(self, parent_id: UUID, *, kind: str) -> dict[UUID, dict[str, Any]]:
        """The outputs of the parent's children of `kind`, by child id."""

    def dispatch_load(
        self, owner_id: int, now: datetime, *, kinds: Sequence[str], exempt_kinds: Sequence[str] = ()
    ) -> DispatchLoad:
        """The owner's load in `kinds`, and how many jobs of `exempt_kinds` wait, in one query."""

    def next_to_dispatch(self, owner_id: int, now: datetime, *, kinds: Sequence[str], limit: int) -> list[Job]:
        """Due waiting jobs of the owner that are not dispatched, highest priority first, then the
        longest waiting; locked, skipping locked ones."""

    def owners_waiting(self, now: datetime, *, kinds: Sequence[str], limit: int) -> list[int]:
        """Owners with due jobs not dispatched yet, the one whose job waits longest first."""

    def renew_lease(self, job_id: UUID, attempt: int, *, until: datetime, progress: float | None) -> Job | None:
        """Extend the lease of the running `attempt`; the job as it now is, or None if
        that attempt no longer runs. Not a transition: no event, no lock held."""


class StartBucketRepository(Protocol):
    def lock(self, owner_id: int, *, now: datetime, initial_tokens: float) -> StartBucket:
        """The owner's bucket (new ones start with `initial_tokens`), locked until the unit of
        work ends: admission decisions for one owner happen one at a time."""

    def save(self, bucket: StartBucket) -> None: ...


class ReportRepository(Protocol):
    def add(self, report: Report) -> None: ...

    def save(self, report: Report) -> None: ...

    def get(self, report_id: UUID) -> Report | None: ...

    def get_for_owner(self, report_id: UUID, owner_id: int) -> Report | None: ...

    def get_by_job(self, job_id: UUID) -> Report | None: ...

    def expired(self, before: datetime, *, limit: int) -> list[Report]:
        """Reports still stored, created before `before`, whose job has ended and that no
        schedule runs from; oldest first, locked, skipping locked ones."""

    def blobs_in_use(self, keys: Sequence[str]) -> set[str]:
        """Those of the upload `keys` that a report still stored refers to."""
