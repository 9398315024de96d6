"""Sniff a delimited file's dialect (delimiter, quoting) and read its header record."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

_DELIMITERS = (",", "\t", ";", "|")
_SAMPLE_RECORDS = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Dialect:
    """The delimiter and the quote character (None: quotes are ordinary characters)."""

    delimiter: str
    quote: str | None


def sniff_dialect(sample: str, *, complete: bool) -> Dialect:
    """Pick the delimiter that splits the sample's records into the most consistent field count.

    Quoting is RFC 4180 with `"`, unless the sample has quotes but never at a field start:
    then they are ordinary characters (`12" pipe`).
    """
    best, best_score = ",", (0.0, 1)
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in _records(sample, delimiter, complete=complete)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode) / len(counts), mode)
        if mode > 1 and score > best_score:
            best, best_score = delimiter, score
    return Dialect(delimiter=best, quote=_sniff_quote(sample, best))


def _sniff_quote(sample: str, delimiter: str) -> str | None:
    if '"' not in sample:
        return '"'
    field_start = re.compile(rf'(?:^|[{re.escape(delimiter)}\n])"')
    return '"' if field_start.search(sample) else None


def _records(sample: str, delimiter: str, *, complete: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) > _SAMPLE_RECORDS:
                break
    except csv.Error:
        return rows
    if not complete and len(rows) > 1 and len(rows) <= _SAMPLE_RECORDS:
        rows.pop()  # the sample may end in the middle of its last record
    return rows


def parse_header(record: str, dialect: Dialect) -> list[str]:
    """Column names from the header record: blanks named `column_N`, duplicates suffixed `_2`, `_3`."""
    text = io.StringIO(record, newline="")
    if dialect.quote is None:
        reader = csv.reader(text, delimiter=dialect.delimiter, quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quote)
    raw = next(reader, [])
    return unique_names(raw)


def unique_names(raw: list[str]) -> list[str]:
    """Make column names non-empty and unique, keeping the first spelling of each."""
    names: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(raw, start=1):
        candidate = name if name.strip() else f"column_{position}"
        base, suffix = candidate, 2
        while candidate in seen:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        seen.add(candidate)
        names.append(candidate)
    return names
