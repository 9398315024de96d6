"""The declared schema a client may send with a report, validated before any row is read."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError, model_validator

from domain.errors import PermanentError

from ..stats.parsing import parse_float, parse_temporal

ColumnType = Literal["integer", "float", "boolean", "date", "datetime", "string"]
_RANGED = ("integer", "float", "date", "datetime")


class SchemaError(PermanentError):
    """The declared schema is invalid; `errors` lists each problem (`loc`, `msg`) for a 400 answer."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        details = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'schema'}: {error['msg']}" for error in errors
        )
        super().__init__(f"invalid schema: {details}")
        self.errors = errors


class ColumnRule(BaseModel):
    """Rules for one column. `min`/`max` are numbers, or ISO dates for date and datetime columns.

    `regex` uses Rust regex syntax (linear time, no look-around) and must match the whole value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=1000)
    type: ColumnType | None = None
    required: bool = True
    nullable: bool = True
    allowed_values: list[str] | None = Field(default=None, min_length=1, max_length=10_000)
    min: StrictInt | StrictFloat | str | None = None
    max: StrictInt | StrictFloat | str | None = None
    regex: str | None = Field(default=None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> ColumnRule:
        if (self.min is not None or self.max is not None) and self.type not in _RANGED:
            raise ValueError(f"min and max need a type among {', '.join(_RANGED)}")
        low, high = self.bound("min"), self.bound("max")
        if low is not None and high is not None and low > high:
            raise ValueError("min is greater than max")
        if self.regex is not None:
            try:
                pl.Series([""]).str.contains(self.anchored_regex)
            except pl.exceptions.PolarsError as exc:
                raise ValueError(f"regex does not compile: {str(exc).splitlines()[0]}") from exc
        return self

    def bound(self, which: Literal["min", "max"]) -> float | None:
        """The bound as a number (epoch microseconds for date and datetime columns)."""
        value = self.min if which == "min" else self.max
        if value is None:
            return None
        if self.type in ("date", "datetime"):
            parsed = parse_temporal(pl.Series([str(value)]))[0][0] if isinstance(value, str) else None
        else:
            parsed = value if not isinstance(value, str) else parse_float(pl.Series([value]))[0]
        if parsed is None:
            expected = "an ISO date or date-time" if self.type in ("date", "datetime") else "a number"
            raise ValueError(f"{which} must be {expected}, got {value!r}")
        return float(parsed)

    @property
    def anchored_regex(self) -> str:
        return f"^(?:{self.regex})$"


class DeclaredSchema(BaseModel):
    """Expected columns, in order; extra columns are allowed unless `allow_extra_columns` is false."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: list[ColumnRule] = Field(min_length=1, max_length=10_000)
    allow_extra_columns: bool = True

    @model_validator(mode="after")
    def _unique(self) -> DeclaredSchema:
        counts = Counter(column.name for column in self.columns)
        duplicates = sorted(name for name, count in counts.items() if count > 1)
        if duplicates:
            raise ValueError(f"columns declared more than once: {', '.join(duplicates)}")
        return self


def parse_schema(data: object) -> DeclaredSchema:
    """Raises SchemaError listing every problem of a declared schema."""
    if isinstance(data, DeclaredSchema):
        return data
    try:
        return DeclaredSchema.model_validate(data)
    except ValidationError as exc:
        errors = [{"loc": list(error["loc"]), "msg": error["msg"]} for error in exc.errors()]
        raise SchemaError(errors) from None
