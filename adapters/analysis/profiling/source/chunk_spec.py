"""A chunk of a file that one worker profiles: a byte range (text) or a row-group range (Parquet)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .source_info import SourceInfo


class ChunkSpec(BaseModel):
    """JSON-serialisable; `first_line` is the absolute line (or record number) of the chunk's first row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    count: int
    source: SourceInfo
    start: int = 0
    end: int = 0
    row_group_start: int = 0
    row_group_end: int = 0
    first_line: int = 1
