"""A small, streaming CSV summary: row count, column names, non-empty values per column.

The full profiling engine replaces this later; this one already streams, so memory stays
flat whatever the file size.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any, BinaryIO

from domain.errors import InvalidReportFile
from domain.ports.report_analyzer import Checkpoint, no_checkpoint

RESULT_SCHEMA_VERSION = 1
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
_ROWS_PER_CHECKPOINT = 10_000


class CsvSummaryAnalyzer:
    def analyze(self, content: BinaryIO, *, checkpoint: Checkpoint = no_checkpoint) -> dict[str, Any]:
        """Raises InvalidReportFile for empty, non-UTF-8 or malformed CSV content."""
        sample = content.read(_SNIFF_BYTES)
        if not sample.strip():
            raise InvalidReportFile("the file is empty")
        if b"\x00" in sample:
            raise InvalidReportFile("the file is binary, not CSV text")
        text = io.TextIOWrapper(io.BufferedReader(_Prefixed(sample, content)), encoding="utf-8-sig", newline="")
        dialect = _sniff(sample)
        try:
            return _summarize(csv.reader(text, dialect), dialect.delimiter, checkpoint)
        except UnicodeDecodeError as exc:
            raise InvalidReportFile(f"the file is not valid UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise InvalidReportFile(f"malformed CSV: {exc}") from exc


def _sniff(sample: bytes) -> type[csv.Dialect]:
    """Pick the delimiter that splits the sample's lines into the most consistent field count."""
    lines = codecs.decode(sample, "utf-8-sig", errors="replace").splitlines()
    if len(sample) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    lines = [line for line in lines[:100] if line.strip()]
    best, best_score = ",", (0.0, 1)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode) / len(counts), mode)
        if mode > 1 and score > best_score:
            best, best_score = delimiter, score
    return type("Sniffed", (csv.excel,), {"delimiter": best})


def _summarize(rows: Any, delimiter: str, checkpoint: Checkpoint) -> dict[str, Any]:
    header = next(rows, None)
    if not header:
        raise InvalidReportFile("the file has no header row")
    non_empty = [0] * len(header)
    count = ragged = 0
    for row in rows:
        if not row:
            continue  # a blank line is not a record
        count += 1
        if count % _ROWS_PER_CHECKPOINT == 0:
            checkpoint(None)
        if len(row) != len(header):
            ragged += 1
        for index, value in enumerate(row[: len(header)]):
            if value.strip():
                non_empty[index] += 1
    return {
        "schema_version": RESULT_SCHEMA_VERSION,
        "summary": {"rows": count, "columns": len(header)},
        "delimiter": delimiter,
        "ragged_rows": ragged,
        "columns": [{"name": name, "non_empty": filled} for name, filled in zip(header, non_empty, strict=True)],
    }


class _Prefixed(io.RawIOBase):
    """The sniffed sample followed by the rest of the stream, so nothing is read twice."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
