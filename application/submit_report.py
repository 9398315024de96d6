"""Accept an upload: store the file, persist report + job + first event, enqueue after commit."""

from __future__ import annotations

import uuid
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, Field

from application import actors
from application.errors import EmptyUpload, UploadTooLarge
from application.read_models import JobView, SubmittedReport
from domain.job import Job
from domain.ports import BlobStore, Clock, Delivery, TaskQueue, UnitOfWork
from domain.report import Report

REPORT_JOB_KIND = "report.process"


class SubmitReport(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    owner_id: int
    filename: str = Field(min_length=1, max_length=255)
    name: str = Field(default="", max_length=255)
    content_type: str = Field(default="", max_length=255)
    size_bytes: int = Field(ge=0)
    content: Any  # a readable binary stream; Any because pydantic cannot check BinaryIO


class ReportIntake(BaseModel):
    """Configuration of report submission."""

    model_config = ConfigDict(frozen=True)

    max_upload_bytes: int = Field(gt=0)
    max_attempts: int = Field(default=5, ge=1)
    queue: str = "reports"


class SubmitReportHandler:
    def __init__(
        self, *, uow: UnitOfWork, blobs: BlobStore, queue: TaskQueue, clock: Clock, intake: ReportIntake
    ) -> None:
        self._uow = uow
        self._blobs = blobs
        self._queue = queue
        self._clock = clock
        self._intake = intake

    def __call__(self, cmd: SubmitReport) -> SubmittedReport:
        """Raises UploadTooLarge or EmptyUpload; nothing is stored then."""
        if cmd.size_bytes > self._intake.max_upload_bytes:
            raise UploadTooLarge(cmd.size_bytes, self._intake.max_upload_bytes)
        if cmd.size_bytes == 0:
            raise EmptyUpload()
        content: BinaryIO = cmd.content
        blob = self._blobs.save(name_hint=cmd.filename, content=content)
        now = self._clock.now()
        job = Job.create(
            id=uuid.uuid4(),
            kind=REPORT_JOB_KIND,
            owner_id=cmd.owner_id,
            queue=self._intake.queue,
            max_attempts=self._intake.max_attempts,
            now=now,
            actor=actors.user(cmd.owner_id),
        )
        report = Report(
            id=uuid.uuid4(),
            owner_id=cmd.owner_id,
            job_id=job.id,
            name=cmd.name or cmd.filename,
            filename=cmd.filename,
            blob_key=blob.key,
            size_bytes=blob.size_bytes,
            content_type=cmd.content_type,
            created_at=now,
        )
        delivery = Delivery(job_id=job.id, kind=job.kind, attempt=1, queue=job.queue)
        try:
            with self._uow as uow:
                uow.jobs.add(job)
                uow.reports.add(report)
                uow.after_commit(lambda: self._queue.enqueue(delivery))
                uow.commit()
        except BaseException:
            self._blobs.delete(blob.key)
            raise
        return SubmittedReport(report_id=report.id, job=JobView.of(job))
