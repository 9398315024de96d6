"""The Report entity: an uploaded tabular file, the job that processes it, and its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.profile import DeclaredSchema


@dataclass(frozen=True, slots=True)
class DocumentPart:
    """Where one result document lies: a whole blob, or a byte range of a blob it shares with
    the result's other documents (written as one, so that storing a result is one write)."""

    key: str
    offset: int = 0
    length: int | None = None  # None: to the blob's end


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportOutput:
    """Where a finished report's result lives: a small summary here, the documents in blobs."""

    summary: dict[str, Any]
    documents: dict[str, DocumentPart]  # result.json, report.html, columns.csv, violations.csv

    @property
    def blob_keys(self) -> list[str]:
        return sorted({part.key for part in self.documents.values()})


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
    declared_schema: DeclaredSchema | None = None
    output: ReportOutput | None = None
    completed_at: datetime | None = None
    deleted_at: datetime | None = None  # its upload and result documents are gone; the row stays

    @property
    def summary(self) -> dict[str, Any] | None:
        return self.output.summary if self.output else None

    def complete(self, output: ReportOutput, *, now: datetime) -> None:
        self.output = output
        self.completed_at = now

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, *, now: datetime) -> list[str]:
        """Become a tombstone; the blob keys of its result documents, which are to be deleted
        (its upload may be shared with a schedule's runs: whoever deletes decides)."""
        if self.deleted_at is None:
            self.deleted_at = now
        return self.output.blob_keys if self.output else []
