"""The audit trail: one immutable JobEvent per transition of a job."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.job_status import JobStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class JobEvent:
    """What happened to a job, when, by whom, at which attempt. Never changed once written."""

    job_id: UUID
    seq: int
    from_status: JobStatus | None
    to_status: JobStatus
    attempt: int
    actor: str
    at: datetime
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # who asked, when a request or a task on its behalf did this (never a token itself)
    request_id: str = ""
    token_id: str = ""
    hash: str = ""  # domain.audit: sealed when stored, chained on the job's previous event
