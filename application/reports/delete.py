"""Delete a report's stored files: its upload and result documents leave storage, the report
stays as a tombstone (`deleted_at`) and its job's audit trail stays whole.

Refused while the report's job has not ended (cancel it first), and while a schedule re-runs
the report's upload (delete the schedule first): a schedule's runs would otherwise be disabled
behind the user's back. An upload shared by several reports (a schedule's runs reuse its
source's) leaves storage with the last of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application.errors import NotFound, ReportInUse, ReportJobActive
from domain.ports import BlobStore, Clock, UnitOfWork
from domain.report import Report


class DeleteReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    report_id: UUID


def remove_files(uow: UnitOfWork, blobs: BlobStore, documents: Iterable[str], uploads: Iterable[str]) -> int:
    """After the tombstones committed: delete the documents, and the uploads no stored report
    refers to any more. How many blobs were deleted. A crash before this leaves files without
    a report (harmless), never a report without its files."""
    documents, uploads = list(documents), sorted(set(uploads))
    with uow:
        in_use = uow.reports.blobs_in_use(uploads) if uploads else set()
    gone = [*documents, *(key for key in uploads if key not in in_use)]
    for key in gone:
        blobs.delete(key)
    return len(gone)


class DeleteReportHandler:
    def __init__(self, *, uow: UnitOfWork, blobs: BlobStore, clock: Clock) -> None:
        self._uow = uow
        self._blobs = blobs
        self._clock = clock

    def __call__(self, cmd: DeleteReport) -> None:
        """Raises NotFound (also for another owner's report), ReportJobActive or ReportInUse.
        Deleting a deleted report again does nothing."""
        with self._uow as uow:
            report = uow.reports.get_for_owner(cmd.report_id, cmd.owner_id)
            job = uow.jobs.get(report.job_id) if report else None
            if report is None or job is None:
                raise NotFound("report", cmd.report_id)
            if report.is_deleted:
                return
            if not job.status.is_terminal:
                raise ReportJobActive(job.status)
            schedules = uow.schedules.running_from(report.id)
            if schedules:
                raise ReportInUse(list(schedules))
            documents = self._tombstone(uow, report)
            uow.commit()
        remove_files(self._uow, self._blobs, documents, [report.blob_key])

    def _tombstone(self, uow: UnitOfWork, report: Report) -> list[str]:
        documents = report.delete(now=self._clock.now())
        uow.reports.save(report)
        return documents
