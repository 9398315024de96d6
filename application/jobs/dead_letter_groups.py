"""Dead letters grouped by cause, so an operator replays one cause at a time.

A cause is a fingerprint: the error's type, its message with the parts that differ between
jobs (numbers, ids, paths) replaced by placeholders, and the job's kind (the step that failed).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

MESSAGE_LENGTH = 300  # of a normalised message: enough to tell causes apart
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
# an absolute or home path; not the path of a URL (after "://host"), nor a fraction ("1/2")
_PATH = re.compile(r"(?<![\w.:/~])~?/(?:[\w.@+-]+/)*[\w.@+-]+/?")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\\\s'\"]+\\)*[^\\\s'\"]*")
_HEX = re.compile(r"\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def normalise_message(message: str) -> str:
    """The message with what varies from job to job replaced: ids by <uuid>, paths by <path>,
    hexadecimal values by <hex>, numbers by <n>; whitespace collapsed."""
    text = _UUID.sub("<uuid>", message)
    text = _WINDOWS_PATH.sub("<path>", text)
    text = _PATH.sub("<path>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACE.sub(" ", text).strip()[:MESSAGE_LENGTH]


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    error_type: str
    message: str  # normalised
    kind: str

    @classmethod
    def of(cls, *, error_type: str, error: str, kind: str) -> Fingerprint:
        return cls(error_type=error_type or "unknown", message=normalise_message(error), kind=kind)

    @property
    def key(self) -> str:
        """A short stable name for URLs."""
        text = "\0".join((self.error_type, self.message, self.kind))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """What grouping needs of a dead job: the error of its last attempt and when it died."""

    job_id: UUID
    kind: str
    error: str
    error_type: str
    died_at: datetime


@dataclass(slots=True, kw_only=True)
class DeadLetterGroup:
    fingerprint: Fingerprint
    first_seen: datetime
    last_seen: datetime
    job_ids: list[UUID] = field(default_factory=list)  # newest death first

    @property
    def count(self) -> int:
        return len(self.job_ids)


def group_dead_letters(letters: Iterable[DeadLetter]) -> list[DeadLetterGroup]:
    """Groups by fingerprint, the largest group first (then the most recent)."""
    groups: dict[Fingerprint, DeadLetterGroup] = {}
    ordered = sorted(letters, key=lambda letter: letter.died_at, reverse=True)
    for letter in ordered:
        fingerprint = Fingerprint.of(error_type=letter.error_type, error=letter.error, kind=letter.kind)
        group = groups.get(fingerprint)
        if group is None:
            group = groups[fingerprint] = DeadLetterGroup(
                fingerprint=fingerprint, first_seen=letter.died_at, last_seen=letter.died_at
            )
        group.first_seen = letter.died_at  # the letters come newest first
        group.job_ids.append(letter.job_id)
    return sorted(groups.values(), key=lambda group: (-group.count, -group.last_seen.timestamp()))
