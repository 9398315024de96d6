from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.repositories import InMemoryState
from application.reports.quotas import Usage
from domain.job_status import JobStatus


class InMemorySubmissionUsage:
    def __init__(self, state: InMemoryState, *, kinds: Sequence[str]) -> None:
        self._state = state
        self._kinds = list(kinds)

    def usage(self, owner_id: int, *, unfinished: bool, stored_bytes: bool, backlog: bool) -> Usage:
        jobs = self._state.jobs.values()
        owned = [j for j in jobs if j.owner_id == owner_id and j.parent_id is None and j.kind in self._kinds]
        uploads = {
            (r.blob_key, r.size_bytes)
            for r in self._state.reports.values()
            if r.owner_id == owner_id and not r.is_deleted
        }
        return Usage(
            unfinished=sum(not j.status.is_terminal for j in owned) if unfinished else 0,
            stored_bytes=sum(size for _, size in uploads) if stored_bytes else 0,
            backlog=sum(j.status in (JobStatus.QUEUED, JobStatus.RETRYING) for j in jobs) if backlog else 0,
        )
