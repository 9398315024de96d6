"""What the report engine reads and produces, as the inside sees it: typed wrappers around
JSON documents whose inner shape belongs to the engine (documented in its RESULT_SCHEMA.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclaredSchema:
    """The columns a client says a file has (a JSON object); the engine checks every row against it."""

    definition: JsonObject


@dataclass(frozen=True, slots=True, kw_only=True)
class ChunkPlan:
    """One piece of a file as the engine cut it. Opaque to the job engine: a chunk job keeps it
    as JSON in its payload and hands it back to the engine."""

    spec: JsonObject


@dataclass(frozen=True, slots=True, kw_only=True)
class PartialProfile:
    """The profile of one chunk, mergeable with the other chunks of its plan (JSON)."""

    data: JsonObject


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileResult:
    """A finished profile: the result document (JSON, schema_version 2) and its summary."""

    document: JsonObject

    @property
    def summary(self) -> JsonObject:
        return dict(self.document["summary"])
