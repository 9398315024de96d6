"""Admission of new submissions: refused while the service's backlog is full, or when the
user has too many unfinished jobs or too many bytes stored. Checked before anything is
stored, with one query for the counts that have a limit; not under a lock, so concurrent
submissions can pass a limit by a few (a quota, not an invariant)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from application.errors import BacklogFull, StorageQuotaExceeded, TooManyQueued


class SubmissionQuotas(BaseModel):
    """0 means no limit."""

    model_config = ConfigDict(frozen=True)

    max_queued: int = Field(default=0, ge=0)  # a user's unfinished top-level jobs
    max_stored_bytes: int = Field(default=0, ge=0)  # a user's stored uploads
    max_backlog: int = Field(default=0, ge=0)  # jobs waiting to start, of every user
    backlog_retry_after_seconds: int = Field(default=30, gt=0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    unfinished: int = 0
    stored_bytes: int = 0
    backlog: int = 0


class SubmissionUsage(Protocol):
    def usage(self, owner_id: int, *, unfinished: bool, stored_bytes: bool, backlog: bool) -> Usage:
        """The counts asked for (the others are 0), in one query: the owner's top-level jobs
        not ended yet, the bytes of its stored uploads (each upload once, however many
        reports share it), and the jobs of every owner waiting to start."""


class NoUsage:
    def usage(self, owner_id: int, *, unfinished: bool, stored_bytes: bool, backlog: bool) -> Usage:
        return Usage()


def admit_submission(quotas: SubmissionQuotas, usage: SubmissionUsage, *, owner_id: int, size_bytes: int) -> None:
    """Raises BacklogFull, TooManyQueued or StorageQuotaExceeded, in that order."""
    if not (quotas.max_queued or quotas.max_stored_bytes or quotas.max_backlog):
        return
    used = usage.usage(
        owner_id,
        unfinished=bool(quotas.max_queued),
        stored_bytes=bool(quotas.max_stored_bytes),
        backlog=bool(quotas.max_backlog),
    )
    if quotas.max_backlog and used.backlog >= quotas.max_backlog:
        raise BacklogFull(quotas.backlog_retry_after_seconds)
    if quotas.max_queued and used.unfinished >= quotas.max_queued:
        raise TooManyQueued(quotas.max_queued)
    if quotas.max_stored_bytes and used.stored_bytes + size_bytes > quotas.max_stored_bytes:
        raise StorageQuotaExceeded(
            limit_bytes=quotas.max_stored_bytes, used_bytes=used.stored_bytes, size_bytes=size_bytes
        )
