"""The result document, schema_version 2 (documented in RESULT_SCHEMA.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

RESULT_SCHEMA_VERSION = 2

Scalar = bool | int | float | str
ColumnType = Literal["integer", "float", "boolean", "date", "datetime", "string", "empty"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Summary(_Model):
    rows: int
    columns: int


class FileFacts(_Model):
    format: Literal["csv", "tsv", "jsonl", "parquet", "xlsx"]
    bytes: int
    encoding: str | None
    delimiter: str | None
    quote: str | None
    sheet: str | None
    chunks: int


class DataQuality(_Model):
    ragged_rows: int
    ragged_lines: list[int]
    blank_lines: int


class Distinct(_Model):
    value: int
    exact: bool
    lower_bound: int
    upper_bound: int
    confidence: float | None


class TopValue(_Model):
    value: str
    count: int
    lower_bound: int
    upper_bound: int


class Quantiles(_Model):
    p1: Scalar
    p5: Scalar
    p25: Scalar
    p50: Scalar
    p75: Scalar
    p95: Scalar
    p99: Scalar


class Histogram(_Model):
    edges: list[float | str]
    counts: list[int]
    exact: bool


class ColumnProfile(_Model):
    name: str
    position: int
    type: ColumnType
    count: int
    nulls: int
    null_ratio: float
    distinct: Distinct
    min: Scalar | None
    max: Scalar | None
    mean: float | str | None
    std: float | None
    std_unit: Literal["seconds"] | None
    quantiles: Quantiles | None
    quantile_rank_error: float | None
    non_finite: int
    top_values: list[TopValue]
    top_values_exact: bool
    histogram: Histogram | None


class Violation(_Model):
    line: int | None
    column: str
    rule: str
    value: str | None
    message: str


class SchemaCheck(_Model):
    valid: bool
    violations_total: int
    counts_by_rule: dict[str, int]
    counts_by_column: dict[str, dict[str, int]]
    violations: list[Violation]
    truncated: bool
    max_violations: int


class ProfileResult(_Model):
    schema_version: Literal[2] = 2
    summary: Summary
    file: FileFacts
    duration_seconds: float
    null_values: list[str]
    data_quality: DataQuality
    columns: list[ColumnProfile]
    schema_check: SchemaCheck | None


def validated(result: ProfileResult | dict[str, Any]) -> ProfileResult:
    """A result document as its model (validated; a model is taken as it is). Raises
    pydantic.ValidationError for a malformed result."""
    return result if isinstance(result, ProfileResult) else ProfileResult.model_validate(result)
