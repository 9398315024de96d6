"""What the report use cases return: read models, never entities or ORM records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.jobs.read_models import JobView, ReadModel
from application.reports.kinds import REPORT_JOB_KIND
from domain.job import Job
from domain.job_status import JobStatus
from domain.report import Report


def has_result(job: JobView) -> bool:
    """The report's result documents exist: `job` is the report's own job and it succeeded.

    A chunk or merge job that succeeded says nothing about the report: its parent may still
    be waiting for other chunks, or may have ended without a result.
    """
    return job.kind == REPORT_JOB_KIND and job.status == JobStatus.SUCCEEDED


class ReportView(ReadModel):
    id: UUID
    name: str
    filename: str
    size_bytes: int
    created_at: datetime
    completed_at: datetime | None
    deleted_at: datetime | None = None
    job: JobView
    summary: dict[str, Any] | None

    @classmethod
    def of(cls, report: Report, job: Job, *, internals: bool) -> ReportView:
        return cls(
            id=report.id,
            name=report.name,
            filename=report.filename,
            size_bytes=report.size_bytes,
            created_at=report.created_at,
            completed_at=report.completed_at,
            deleted_at=report.deleted_at,
            job=JobView.of(job, internals=internals),
            summary=report.summary,
        )


class SubmittedReport(ReadModel):
    report_id: UUID
    job: JobView
