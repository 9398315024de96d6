"""What sniffing learnt about a file: everything a chunk needs to be read without sniffing again."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Format = Literal["csv", "tsv", "jsonl", "parquet", "xlsx"]


class SourceInfo(BaseModel):
    """The file's format and how to read it. JSON-serialisable, it travels inside chunk specs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Format
    size: int
    encoding: str | None = None
    bom: int = 0
    delimiter: str | None = None
    quote: str | None = None
    columns: list[str] = []
    data_start: int = 0
    first_line: int = 1
    sheet: str | None = None
    row_groups: int = 0
