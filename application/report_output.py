"""Turning a profile into a finished report: its JSON and HTML documents and its summary."""

from __future__ import annotations

import io
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.ports import BlobStore, ReportEngine
from domain.report import Report, ReportOutput

REPORT_JOB_KIND = "report.process"
CHUNK_JOB_KIND = "report.chunk"
MERGE_JOB_KIND = "report.merge"


class ReportProcessing(BaseModel):
    """When a report is split into chunk jobs, and how big a chunk is."""

    model_config = ConfigDict(frozen=True)

    fan_out_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    chunk_bytes: int = Field(default=128 * 1024 * 1024, gt=0)


def store_output(blobs: BlobStore, engine: ReportEngine, report: Report, result: dict[str, Any]) -> ReportOutput:
    """Write the result and its HTML rendering as blobs; the summary stays with the report."""
    document = json.dumps(result, separators=(",", ":"), allow_nan=False).encode()
    stored_json = blobs.save(name_hint=f"{report.id}.json", content=io.BytesIO(document), prefix="results")
    html = engine.render_html(result).encode()
    stored_html = blobs.save(name_hint=f"{report.id}.html", content=io.BytesIO(html), prefix="results")
    return ReportOutput(summary=dict(result["summary"]), result_key=stored_json.key, html_key=stored_html.key)
