"""Turning a profile into a finished report: its JSON and HTML documents and its summary."""

from __future__ import annotations

import io
import json
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import JobInputMissing
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork
from domain.profile import ProfileResult
from domain.report import DocumentPart, Report, ReportOutput


class ReportProcessing(BaseModel):
    """When a report is split into chunk jobs, and how big a chunk is; up to which size its
    attempt is brief (runs in one transaction, see application.jobs.pipeline; 0: never)."""

    model_config = ConfigDict(frozen=True)

    fan_out_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    chunk_bytes: int = Field(default=128 * 1024 * 1024, gt=0)
    brief_bytes: int = Field(default=0, ge=0)


def report_of(uow: UnitOfWork, job: Job) -> Report:
    """The report a job works for (a report's job, its chunks and merge all carry its id).

    Raises JobInputMissing when it no longer exists, or its files were deleted (a replay of
    a deleted report's job fails at once instead of retrying).
    """
    report_id = job.payload.get("report_id")
    report = uow.reports.get(UUID(str(report_id))) if report_id else None
    if report is None:
        raise JobInputMissing(f"the report of {job.kind} job {job.id} no longer exists")
    if report.is_deleted:
        raise JobInputMissing(f"the upload of report {report.id} was deleted")
    return report


def store_output(
    blobs: BlobStore, engine: ReportEngine, report: Report, result: ProfileResult, checkpoint: Checkpoint
) -> ReportOutput:
    """Write the result, its HTML page and its CSV tables, once, by the worker, one after the
    other in one blob (one write: on local disk a file is created per blob, on object storage
    each blob is a request); the summary stays with the report. The web process then only
    streams each document's byte range."""
    documents = {
        "result.json": json.dumps(result.document, separators=(",", ":"), allow_nan=False),
        "report.html": engine.render_html(result, checkpoint=checkpoint),
        "columns.csv": engine.export_csv(result, table="columns"),
        "violations.csv": engine.export_csv(result, table="violations"),
    }
    encoded = {name: text.encode() for name, text in documents.items()}
    content = b"".join(encoded.values())
    key = blobs.save(
        name_hint=f"{report.id}.documents", content=io.BytesIO(content), prefix=f"results/{report.created_at:%Y/%m/%d}"
    ).key
    parts, offset = {}, 0
    for name, data in encoded.items():
        parts[name] = DocumentPart(key, offset, len(data))
        offset += len(data)
    return ReportOutput(summary=result.summary, documents=parts)
