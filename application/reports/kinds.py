"""The report job kinds: a report's job profiles its file in one pass or fans out into chunk
jobs; the last chunk starts the merge, whose success completes the report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.jobs.registry import JobKind

REPORT_JOB_KIND = "report.process"
CHUNK_JOB_KIND = "report.chunk"
MERGE_JOB_KIND = "report.merge"


class ReportKindSettings(BaseModel):
    """Where report jobs run, how often they may fail, and how long one attempt may take."""

    model_config = ConfigDict(frozen=True)

    queue: str = "default"
    priority_queue: str = "high"
    bulk_queue: str = "bulk"
    # uploads above this go to the bulk queue, so long profiles do not hold up short ones
    bulk_above_bytes: int = Field(default=32 * 1024 * 1024, ge=0)
    max_attempts: int = Field(default=5, ge=1)
    soft_time_limit_seconds: float = Field(default=900, gt=0)
    time_limit_seconds: float = Field(default=960, gt=0)


def report_job_kinds(settings: ReportKindSettings) -> list[JobKind]:
    """A report, its chunks and its merge share the queue, budget and time limits."""
    common = settings.model_dump()
    return [
        JobKind(name=REPORT_JOB_KIND, task="reports.process", fan_in_kind=MERGE_JOB_KIND, **common),
        JobKind(name=CHUNK_JOB_KIND, task="reports.chunk", **common),
        JobKind(name=MERGE_JOB_KIND, task="reports.merge", **common),
    ]
