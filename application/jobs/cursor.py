"""Opaque pagination cursors: clients pass back what they were given, nothing else."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from application.errors import InvalidCursor
from application.jobs.read_models import JobPage, JobView
from domain.job import Job
from domain.ports import JobCursor


def encode_cursor(cursor: JobCursor) -> str:
    raw = json.dumps({"t": cursor.created_at.isoformat(), "id": str(cursor.job_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> JobCursor:
    """Raises InvalidCursor for anything that is not a cursor we made."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fields = json.loads(raw)
        created_at = datetime.fromisoformat(fields["t"])
        job_id = uuid.UUID(fields["id"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc
    if created_at.tzinfo is None:
        raise InvalidCursor()
    return JobCursor(created_at=created_at, job_id=job_id)


def page_of(jobs: list[Job], limit: int, *, internals: bool) -> JobPage:
    """The first `limit` of `jobs` (fetched as limit + 1), with a cursor if more follow;
    with their internals for staff only (see JobView.of)."""
    page, more = jobs[:limit], len(jobs) > limit
    next_cursor = encode_cursor(JobCursor(created_at=page[-1].created_at, job_id=page[-1].id)) if more else None
    return JobPage(items=[JobView.of(job, internals=internals) for job in page], next_cursor=next_cursor)
