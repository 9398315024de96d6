"""Check rows against the declared schema, batch by batch, with absolute line numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ..progress import Tick, no_tick
from ..stats.parsing import parse_boolean, parse_float, parse_integer, parse_temporal
from .schema import ColumnRule, DeclaredSchema
from .violations import ViolationLog, clip


class SchemaChecker:
    """Row-level rules per batch; file-level rules (missing, unexpected columns) at the end.

    A declared column absent from a batch is checked as all-null only when the format lets a
    column be absent from some rows (JSON Lines); otherwise its absence is a file-level fact.
    """

    def __init__(self, schema: DeclaredSchema, *, cap: int, absent_is_null: bool) -> None:
        self.schema = schema
        self.absent_is_null = absent_is_null
        self.log = ViolationLog(cap=cap, order={rule.name: index for index, rule in enumerate(schema.columns)})

    def observe(self, frame: pl.DataFrame, lines: npt.NDArray[np.int64], *, tick: Tick = no_tick) -> None:
        """Check a batch whose nulls are already normalised; `tick` is called after every rule."""
        found: list[dict[str, Any]] = []
        for rule in self.schema.columns:
            if rule.name in frame.columns:
                values = frame[rule.name]
            elif self.absent_is_null:
                values = pl.Series(rule.name, [None] * frame.height, dtype=pl.String)
            else:
                continue
            for name, broken, message in _failures(rule, values):
                n = int(broken.sum())
                if not n:
                    continue
                self.log.count(rule.name, name, n)
                if self.log.room > 0:
                    rows = broken.arg_true().head(self.log.room).to_numpy()
                    found.extend(_entries(rule.name, name, message, values, rows, lines))
                tick()
        if found:
            self.log.add(found)

    def finish(self, columns: list[str]) -> None:
        """Add the file-level violations once every column of the file is known."""
        present = set(columns)
        missing = [rule for rule in self.schema.columns if rule.name not in present]
        self.log.drop_columns({rule.name for rule in missing})
        entries = [
            _file_entry(rule.name, "missing_column", "the required column is missing")
            for rule in missing
            if rule.required
        ]
        if not self.schema.allow_extra_columns:
            declared = {rule.name for rule in self.schema.columns}
            entries += [
                _file_entry(name, "unexpected_column", "the column is not declared")
                for name in columns
                if name not in declared
            ]
        for entry in entries:
            self.log.count(entry["column"], entry["rule"], 1)
        self.log.add(entries)


def _failures(rule: ColumnRule, values: pl.Series) -> Iterator[tuple[str, pl.Series, str]]:
    present = values.is_not_null()
    if not rule.nullable:
        yield "null", ~present, "a value is required"
    if rule.type is not None and rule.type != "string":
        parsed = _parse_as(values, rule.type)
        yield "type", present & parsed.is_null(), f"expected {_ARTICLE[rule.type]}"
        low, high = rule.bound("min"), rule.bound("max")
        if low is not None:
            yield "min", (parsed < low).fill_null(False), f"below the minimum {rule.min}"
        if high is not None:
            yield "max", (parsed > high).fill_null(False), f"above the maximum {rule.max}"
    if rule.allowed_values is not None:
        allowed = values.is_in(rule.allowed_values).fill_null(True)
        yield "allowed_values", present & ~allowed, "not one of the allowed values"
    if rule.regex is not None:
        yield "regex", present & ~values.str.contains(rule.anchored_regex).fill_null(True), "does not match the pattern"


_ARTICLE = {
    "integer": "an integer",
    "float": "a number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "an ISO 8601 date-time",
}


def _parse_as(values: pl.Series, kind: str) -> pl.Series:
    """The values as numbers (epoch microseconds for temporal types), null where they do not parse."""
    if kind == "integer":
        return parse_integer(values).cast(pl.Float64)
    if kind == "float":
        return parse_float(values)
    if kind == "boolean":
        return parse_boolean(values).cast(pl.Float64)
    micros, _ = parse_temporal(values)
    if kind == "date":
        # A date column takes dates only: a value with a time of day is a type violation.
        micros = pl.select(pl.when(values.str.strip_chars().str.len_chars() <= 10).then(micros)).to_series()
    return micros.cast(pl.Float64)


def _entries(
    column: str, rule: str, message: str, values: pl.Series, rows: npt.NDArray[Any], lines: npt.NDArray[np.int64]
) -> list[dict[str, Any]]:
    picked = values.gather(rows).to_list()
    return [
        {"line": int(lines[row]), "column": column, "rule": rule, "value": clip(value), "message": message}
        for row, value in zip(rows, picked, strict=True)
    ]


def _file_entry(column: str, rule: str, message: str) -> dict[str, Any]:
    return {"line": None, "column": column, "rule": rule, "value": None, "message": message}
