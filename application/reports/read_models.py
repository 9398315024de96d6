"""What the report use cases return: read models, never entities or ORM records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.jobs.read_models import JobView, ReadModel
from domain.job import Job
from domain.report import Report


class ReportView(ReadModel):
    id: UUID
    name: str
    filename: str
    size_bytes: int
    created_at: datetime
    completed_at: datetime | None
    job: JobView
    summary: dict[str, Any] | None

    @classmethod
    def of(cls, report: Report, job: Job) -> ReportView:
        return cls(
            id=report.id,
            name=report.name,
            filename=report.filename,
            size_bytes=report.size_bytes,
            created_at=report.created_at,
            completed_at=report.completed_at,
            job=JobView.of(job),
            summary=report.summary,
        )


class SubmittedReport(ReadModel):
    report_id: UUID
    job: JobView
