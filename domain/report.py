"""The Report entity: an uploaded tabular file, the job that processes it, and its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(kw_only=True, eq=False)
class Report:
    id: UUID
    owner_id: int
    job_id: UUID
    name: str
    filename: str
    blob_key: str
    size_bytes: int
    created_at: datetime
    content_type: str = ""
    result: dict[str, Any] | None = None
    completed_at: datetime | None = None

    @property
    def has_result(self) -> bool:
        return self.result is not None

    def complete(self, result: dict[str, Any], *, now: datetime) -> None:
        self.result = result
        self.completed_at = now
