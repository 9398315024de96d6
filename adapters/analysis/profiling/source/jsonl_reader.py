"""Stream a byte range of a JSON Lines file as text batches. A JSON string holds no raw newline,
so every newline ends a record and blocks can be cut anywhere between lines."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import polars as pl

from domain.errors import InvalidReportFile

from ..settings import EngineSettings
from .batch import Batch
from .blocks import record_blocks
from .chunk_spec import ChunkSpec
from .encoding import TextEncoding
from .text_frame import as_text
from .text_stream import as_utf8, read_range

_BLANK = np.array([ord(" "), ord("\t"), ord("\r"), ord("\n")], dtype=np.uint8)


def read_jsonl_chunk(path: str, chunk: ChunkSpec, settings: EngineSettings) -> Iterator[Batch]:
    """Raises InvalidReportFile naming the first line that is not a JSON object."""
    source = chunk.source
    assert source.encoding is not None
    encoding = TextEncoding(name=source.encoding, bom=source.bom)
    pieces = read_range(path, start=chunk.start, end=chunk.end, piece_bytes=settings.block_bytes)
    text = as_utf8(pieces, encoding, first_line=chunk.first_line)
    for block in record_blocks(text, quote=None, limits=settings, first_line=chunk.first_line):
        lines = _record_lines(block.data, block.first_line)
        blank_lines = _physical_lines(block.data) - len(lines)
        progress = min(1.0, (block.offset + len(block.data)) / max(chunk.end - chunk.start, 1))
        if not len(lines):
            yield Batch(frame=pl.DataFrame(), lines=lines, blank_lines=blank_lines, progress=progress)
            continue
        frame = _parse(block.data, block.first_line)
        if frame.height != len(lines):
            raise InvalidReportFile(f"malformed JSON Lines between lines {lines[0]} and {lines[-1]}")
        if frame.width > settings.max_columns:
            raise InvalidReportFile(
                f"the records have {frame.width:,} keys; at most {settings.max_columns:,} are supported"
            )
        yield Batch(frame=frame, lines=lines, blank_lines=blank_lines, progress=progress)


def _physical_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _record_lines(data: bytes, first_line: int) -> npt.NDArray[np.int64]:
    """Line numbers of the lines holding something other than blank space (polars skips the rest)."""
    array = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(array == ord("\n"))
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(array)]))
    solid = np.concatenate(([0], np.cumsum(~np.isin(array, _BLANK))))
    has_content = solid[ends] > solid[starts]
    return (first_line + np.flatnonzero(has_content)).astype(np.int64)


def _parse(data: bytes, first_line: int) -> pl.DataFrame:
    try:
        return as_text(pl.read_ndjson(data, infer_schema_length=None))
    except pl.exceptions.PolarsError:
        # Polars cannot say which line is wrong, nor mix a list and an object in one key:
        # the slow path can, and keeps such a value as its JSON text.
        return _parse_slowly(data, first_line)


def _parse_slowly(data: bytes, first_line: int) -> pl.DataFrame:
    columns: dict[str, list[str | None]] = {}
    rows = 0
    for number, line in enumerate(data.split(b"\n"), start=first_line):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InvalidReportFile(f"line {number} is not valid JSON ({exc})") from exc
        if not isinstance(record, dict):
            raise InvalidReportFile(
                f"line {number}: JSON Lines records must be JSON objects, not {type(record).__name__}"
            )
        for key, value in record.items():
            columns.setdefault(key, [None] * rows).append(_spell(value))
        rows += 1
        for values in columns.values():
            if len(values) < rows:
                values.append(None)
    return (
        pl.DataFrame(columns, schema={key: pl.String for key in columns}, orient="col")
        if columns
        else pl.DataFrame({"__rows__": [None] * rows}).drop("__rows__")
    )


def _spell(value: object) -> str | None:
    """The same text polars would give the value: JSON spelling, strings as they are."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
