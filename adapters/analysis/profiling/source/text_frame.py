"""Bring every column to text, so typed formats go through the same inference as CSV."""

from __future__ import annotations

import polars as pl


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast every column to String: numbers and dates in their canonical spelling, nested values as JSON."""
    if not frame.width:
        return frame  # select() of nothing would lose the height of records without keys
    return frame.select([_text(name, dtype).alias(name) for name, dtype in frame.schema.items()])


def _text(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.String:
        return column
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if isinstance(dtype, pl.Struct):
        return pl.when(column.is_null()).then(None).otherwise(column.struct.json_encode())
    if isinstance(dtype, pl.List | pl.Array):
        # json_encode works on structs only: wrap the list, then peel the wrapper off.
        wrapped = pl.struct(column.alias("v")).struct.json_encode().str.strip_prefix('{"v":').str.strip_suffix("}")
        return pl.when(column.is_null()).then(None).otherwise(wrapped)
    if dtype == pl.Binary:
        return column.bin.encode("hex")
    return column.cast(pl.String)


def normalise_nulls(frame: pl.DataFrame, null_values: tuple[str, ...]) -> pl.DataFrame:
    """Empty strings and the configured tokens become null; nothing else does ("NA" stays a value)."""
    if not null_values:
        return frame.with_columns(
            pl.when(pl.col(name).str.len_bytes() == 0).then(None).otherwise(pl.col(name)).alias(name)
            for name in frame.columns
        )
    tokens = ["", *null_values]
    return frame.with_columns(
        pl.when(pl.col(name).is_in(tokens)).then(None).otherwise(pl.col(name)).alias(name) for name in frame.columns
    )
