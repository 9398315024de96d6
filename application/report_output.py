"""Turning a profile into a finished report: its JSON and HTML documents and its summary."""

from __future__ import annotations

import io
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.job import Job
from domain.ports import BlobStore, ReportEngine, UnitOfWork
from domain.report import Report, ReportOutput

REPORT_JOB_KIND = "report.process"
CHUNK_JOB_KIND = "report.chunk"
MERGE_JOB_KIND = "report.merge"


class ReportProcessing(BaseModel):
    """When a report is split into chunk jobs, and how big a chunk is."""

    model_config = ConfigDict(frozen=True)

    fan_out_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    chunk_bytes: int = Field(default=128 * 1024 * 1024, gt=0)


def report_of(uow: UnitOfWork, job: Job) -> Report | None:
    """The report a job works for: its own (the report's job) or its parent's (a chunk or merge)."""
    return uow.reports.get_by_job(job.parent_id or job.id)


def store_output(blobs: BlobStore, engine: ReportEngine, report: Report, result: dict[str, Any]) -> ReportOutput:
    """Write the result, its HTML page and its CSV tables as blobs, once, by the worker; the
    summary stays with the report. The web process then only streams them."""
    documents = {
        "result.json": json.dumps(result, separators=(",", ":"), allow_nan=False),
        "report.html": engine.render_html(result),
        "columns.csv": engine.export_csv(result, table="columns"),
        "violations.csv": engine.export_csv(result, table="violations"),
    }
    keys = {
        name: blobs.save(name_hint=name, content=io.BytesIO(text.encode()), prefix=f"results/{report.id}").key
        for name, text in documents.items()
    }
    return ReportOutput(summary=dict(result["summary"]), documents=keys)
