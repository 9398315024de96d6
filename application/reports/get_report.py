"""A report's metadata and status, or its result documents once its job has succeeded."""

from __future__ import annotations

from typing import BinaryIO, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application.errors import NotFound, ReportDeleted, ResultNotReady, ResultUnavailable
from application.reports.read_models import ReportView
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import BlobStore, UnitOfWork
from domain.report import Report


class GetReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    report_id: UUID
    is_staff: bool = False  # staff also see the job's internals: tracebacks, worker hosts


DocumentName = Literal["result.json", "report.html", "columns.csv", "violations.csv"]


class GetReportDocument(GetReport):
    document: DocumentName = "result.json"


def _load(uow: UnitOfWork, query: GetReport) -> tuple[Report, Job]:
    report = uow.reports.get_for_owner(query.report_id, query.owner_id)
    job = uow.jobs.get(report.job_id) if report else None
    if report is None or job is None:
        raise NotFound("report", query.report_id)
    return report, job


class GetReportHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetReport) -> ReportView:
        """Raises NotFound, also for another owner's report."""
        with self._uow as uow:
            report, job = _load(uow, query)
        return ReportView.of(report, job, internals=query.is_staff)


class GetReportDocumentHandler:
    def __init__(self, *, uow: UnitOfWork, blobs: BlobStore) -> None:
        self._uow = uow
        self._blobs = blobs

    def __call__(self, query: GetReportDocument) -> BinaryIO:
        """One of the result's documents (JSON, HTML page, CSV tables), streamed from storage.

        Raises NotFound; ReportDeleted once its files were deleted; ResultNotReady while the
        job waits or runs; ResultUnavailable once it ended without a result.
        """
        with self._uow as uow:
            report, job = _load(uow, query)
        if report.is_deleted:
            raise ReportDeleted(report.id)
        if job.status in (JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED):
            raise ResultUnavailable(job.status)
        if job.status != JobStatus.SUCCEEDED or report.output is None:
            raise ResultNotReady(job.status)
        part = report.output.documents[query.document]
        return self._blobs.open(part.key, offset=part.offset, length=part.length)
