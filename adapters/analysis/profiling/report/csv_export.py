"""CSV exports of a result (column profiles, schema violations), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from ..result import ProfileResult, validated
from .neutralise import neutralise

_COLUMN_FIELDS = ("name", "type", "count", "nulls", "null_ratio", "distinct", "min", "max", "mean", "std")
_VIOLATION_FIELDS = ("line", "column", "rule", "value", "message")


def columns_csv(result: ProfileResult | dict[str, Any]) -> str:
    """One row per column profile. Raises pydantic.ValidationError for a malformed result."""
    profile = validated(result)
    rows = [
        (c.name, c.type, c.count, c.nulls, c.null_ratio, c.distinct.value, c.min, c.max, c.mean, c.std)
        for c in profile.columns
    ]
    return _write(_COLUMN_FIELDS, rows)


def violations_csv(result: ProfileResult | dict[str, Any]) -> str:
    """One row per reported schema violation (the capped list)."""
    profile = validated(result)
    check = profile.schema_check
    rows = [] if check is None else [(v.line, v.column, v.rule, v.value, v.message) for v in check.violations]
    return _write(_VIOLATION_FIELDS, rows)


def _write(header: tuple[str, ...], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _cell(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else ("" if value is None else value)
