"""What admission of a submission counts, in one query (each count is an indexed scan:
job_owner_status_newest, report_stored_owner, job_waiting_since)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from application.reports.quotas import Usage
from domain.job_status import JobStatus

_WAITING = [JobStatus.QUEUED.value, JobStatus.RETRYING.value]
_UNFINISHED = [*_WAITING, JobStatus.RUNNING.value]

_UNFINISHED_SQL = (
    "SELECT COUNT(*) FROM job WHERE owner_id = %s AND parent_id IS NULL AND status IN ({}) AND kind IN ({})"
)
_STORED_SQL = (
    "SELECT COALESCE(SUM(size_bytes), 0) FROM "
    "(SELECT DISTINCT blob_key, size_bytes FROM report WHERE owner_id = %s AND deleted_at IS NULL) AS stored"
)
_BACKLOG_SQL = "SELECT COUNT(*) FROM job WHERE status IN ({})"


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


class DjangoSubmissionUsage:
    def __init__(self, *, kinds: Sequence[str]) -> None:
        self._kinds = list(kinds)  # the kinds a user's unfinished jobs are counted in

    def usage(self, owner_id: int, *, unfinished: bool, stored_bytes: bool, backlog: bool) -> Usage:
        parts: list[str] = []
        params: list[Any] = []
        if unfinished:
            parts.append(_UNFINISHED_SQL.format(_marks(_UNFINISHED), _marks(self._kinds)))
            params += [owner_id, *_UNFINISHED, *self._kinds]
        else:
            parts.append("0")
        if stored_bytes:
            parts.append(_STORED_SQL)
            params.append(owner_id)
        else:
            parts.append("0")
        if backlog:
            parts.append(_BACKLOG_SQL.format(_marks(_WAITING)))
            params += _WAITING
        else:
            parts.append("0")
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"({part})" for part in parts), params)
            row = cursor.fetchone()
        return Usage(unfinished=int(row[0]), stored_bytes=int(row[1]), backlog=int(row[2]))
