"""Number cells of a sheet spelt from their exact value, not as a spreadsheet displays them.

fastexcel reads a number cell as text the way Excel displays it, rounded to about ten decimals,
so 2000.0833333333333 becomes '2000.083333333', a value that is not in the data. The sheet is
read a second time as floats; a cell whose text denotes another number than the cell holds
is spelt from its value instead. Text cells are never respelt: their text always denotes the
number they parse to.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..stats.parsing import parse_float

_INT64_BOUND = 2.0**63


def with_exact_numbers(text: pl.DataFrame, floats: pl.DataFrame, positions: list[int]) -> pl.DataFrame:
    """`text` with its rounded numbers respelt; `floats` holds the columns at `positions` read as floats."""
    names = [text.columns[position] for position in positions]
    return text.with_columns(_exact(text[name], value) for name, value in zip(names, floats, strict=True))


def numeric_columns(text: pl.DataFrame) -> list[int]:
    """Positions of the columns in which some value reads as a number: the only ones that can need respelling."""
    return [index for index, name in enumerate(text.columns) if parse_float(text[name]).null_count() < text.height]


def _exact(text: pl.Series, value: pl.Series) -> pl.Series:
    parsed = parse_float(text)
    differs = value.is_not_null() & parsed.is_not_null() & (parsed != value) & ~(parsed.is_nan() & value.is_nan())
    return pl.select(pl.when(differs).then(spell(value)).otherwise(text).alias(text.name)).to_series()


def spell(value: pl.Series) -> Any:
    """The shortest text that reads back as each float; whole numbers without a fraction, as a sheet shows them."""
    whole = (value == value.floor()) & (value.abs() < _INT64_BOUND)
    return pl.when(whole).then(value.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(value.cast(pl.String))
