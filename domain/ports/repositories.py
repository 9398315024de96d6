from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.job import Job
from domain.job_event import JobEvent
from domain.job_status import JobStatus
from domain.report import Report


@dataclass(frozen=True, slots=True, kw_only=True)
class JobCursor:
    """Position in a newest-first listing: the (created_at, id) of the last job seen."""

    created_at: datetime
    job_id: UUID


class JobRepository(Protocol):
    def add(self, job: Job) -> None:
        """Insert a new job and its pending events."""

    def save(self, job: Job) -> None:
        """Persist the job's current state and append its pending events."""

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

    def overdue(self, now: datetime, *, available_before: datetime, limit: int) -> list[Job]:
        """Waiting jobs with no unpublished delivery that could have started before
        `available_before` (or, once resent, whose `redelivery_due_at` has come): their
        message was probably lost. Locked, skipping locked ones."""

    def list_dead_letters(self, owner_id: int | None, *, after: JobCursor | None = None, limit: int = 50) -> list[Job]:
        """Dead jobs, newest first; every owner's when `owner_id` is None."""

    def children(self, parent_id: UUID, *, for_update: bool = False) -> list[Job]:
        """The parent's child jobs, oldest first."""

    def save_output(self, job_id: UUID, output: dict[str, Any]) -> None:
        """Keep what a child job hands to its parent (it can be large, so it lives apart)."""

    def children_outputs(self, parent_id: UUID, *, kind: str) -> dict[UUID, dict[str, Any]]:
        """The outputs of the parent's children of `kind`, by child id."""

    def renew_lease(self, job_id: UUID, attempt: int, *, until: datetime, progress: float | None) -> Job | None:
        """Extend the lease of the running `attempt`; the job as it now is, or None if
        that attempt no longer runs. Not a transition: no event, no lock held."""


class ReportRepository(Protocol):
    def add(self, report: Report) -> None: ...

    def save(self, report: Report) -> None: ...

    def get(self, report_id: UUID) -> Report | None: ...

    def get_for_owner(self, report_id: UUID, owner_id: int) -> Report | None: ...

    def get_by_job(self, job_id: UUID) -> Report | None: ...
