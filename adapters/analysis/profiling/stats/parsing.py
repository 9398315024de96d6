"""How text becomes a typed value: the one definition shared by type inference and schema checks.

integer: an optional sign and digits (fits in 64 bits); float: anything polars reads as a
float, including NaN and infinities; boolean: true/false in any case; date: YYYY-MM-DD;
datetime: ISO 8601 with a space or T, optional seconds, fraction and offset (converted to
UTC). Surrounding blank space is ignored. Temporal values become epoch microseconds.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

MICROS_PER_DAY = 86_400_000_000
_DATE_BYTES = len("+10000-12-31")
_ISO_PREFIX = r"^\d{4}-\d{1,2}-\d{1,2}"
_NAIVE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%d %H:%M:%S%.fZ",
)
_OFFSET_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z")
_FORMATS = _NAIVE_FORMATS + _OFFSET_FORMATS
_WHOLE_SECONDS = "%Y-%m-%dT%H:%M:%S"
TRUE_SPELLINGS = ("true", "True", "TRUE")
FALSE_SPELLINGS = ("false", "False", "FALSE")
_WHOLE_SECONDS_CHARS = len("2024-01-02T09:30:00")


def float_of(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().cast(pl.Float64, strict=False)


def integer_of(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().cast(pl.Int64, strict=False)


def unpadded_float_of(text: pl.Expr) -> pl.Expr:
    """`float_of` for text without surrounding blank space, null for padded text (a number has
    no blank space, so stripping it changes nothing): no copy of every value for the strip."""
    return text.cast(pl.Float64, strict=False)


def unpadded_integer_of(text: pl.Expr) -> pl.Expr:
    """`integer_of` for text without surrounding blank space, null for padded text (see above)."""
    return text.cast(pl.Int64, strict=False)


def boolean_of(text: pl.Expr) -> pl.Expr:
    lowered = text.str.strip_chars().str.to_lowercase()
    return pl.when(lowered == "true").then(True).when(lowered == "false").then(False).otherwise(None)


def plain_boolean_of(text: pl.Expr) -> pl.Expr:
    """`boolean_of` for its common spellings (true/false in lower, title or upper case with no
    blank space around), null for any other text: no stripping or lowercasing of every value."""
    return pl.when(text.is_in(TRUE_SPELLINGS)).then(True).when(text.is_in(FALSE_SPELLINGS)).then(False).otherwise(None)


def parse_float(values: pl.Series) -> pl.Series:
    return _apply(float_of, values)


def parse_integer(values: pl.Series) -> pl.Series:
    return _apply(integer_of, values)


def parse_boolean(values: pl.Series) -> pl.Series:
    return _apply(boolean_of, values)


def _apply(parse: Callable[[pl.Expr], pl.Expr], values: pl.Series) -> pl.Series:
    return values.to_frame().select(parse(pl.col(values.name)).alias(values.name)).to_series()


def parse_date(values: pl.Series) -> pl.Series:
    """Epoch microseconds of YYYY-MM-DD values, null elsewhere."""
    return _date_micros(values.str.strip_chars())


def _date_micros(stripped: pl.Series) -> pl.Series:
    return _apply(date_micros_of, stripped)


def date_micros_of(stripped: pl.Expr) -> pl.Expr:
    """Epoch microseconds of stripped YYYY-MM-DD text, null elsewhere."""
    return stripped.str.to_date("%Y-%m-%d", strict=False, cache=False).cast(pl.Int64) * MICROS_PER_DAY


def first_format_micros_of(stripped: pl.Expr) -> pl.Expr:
    """Epoch microseconds of stripped text in the first (and most common) date-time format."""
    return stripped.str.to_datetime(_FORMATS[0], strict=False, time_unit="us", cache=False).cast(pl.Int64)


def common_datetime_micros_of(stripped: pl.Expr, fraction: pl.Expr | None = None) -> pl.Expr:
    """`first_format_micros_of` for its common spelling (YYYY-MM-DDTHH:MM:SS, then nothing or a
    fraction of at most 6 digits), null for any other text, parsed about 5x faster: polars has a
    fast parser for a fixed format without a fraction, and a fraction of microseconds is exact.
    `fraction`, when given, is `fraction_of(stripped)` computed beforehand (it is read thrice)."""
    whole = stripped.str.slice(0, _WHOLE_SECONDS_CHARS)
    fraction = fraction_of(stripped) if fraction is None else fraction
    seconds = whole.str.to_datetime(_WHOLE_SECONDS, strict=False, time_unit="us", cache=False).cast(pl.Int64)
    # ".d" to ".dddddd": the digits scaled to microseconds (a cast and a power, no captured
    # text padded anew); the pattern only tells that they are digits.
    size = fraction.str.len_bytes().cast(pl.Int64)
    micros = fraction.str.slice(1).cast(pl.Int64, strict=False) * pl.lit(10, pl.Int64).pow((7 - size).clip(0, 6))
    return seconds + pl.when(size == 0).then(0).when(fraction.str.contains(r"^\.\d{1,6}$")).then(micros)


def fraction_of(stripped: pl.Expr) -> pl.Expr:
    """What follows the whole seconds of a date-time in the common spelling."""
    return stripped.str.slice(_WHOLE_SECONDS_CHARS)


def short_of(stripped: pl.Expr) -> pl.Expr:
    """Whether stripped text is short enough to be a date alone (longer text is no YYYY-MM-DD)."""
    return stripped.str.len_bytes() <= _DATE_BYTES


def parse_datetime(values: pl.Series) -> pl.Series:
    """Epoch microseconds (UTC) of ISO 8601 date-times, null elsewhere (dates alone included).

    The formats exclude one another, so each is tried only on the values the ones before it
    left unparsed: a column in one format costs one parse, not eight.
    """
    stripped = values.str.strip_chars()
    micros = _apply(first_format_micros_of, stripped)
    missing = micros.is_null() & stripped.is_not_null()
    if missing.any() and not stripped.filter(missing).str.contains(_ISO_PREFIX).all():
        return _nulls(values.name, len(values))  # text that is no date-time
    for fmt in _FORMATS[1:]:
        if not missing.any():
            break
        micros = micros.scatter(missing.arg_true(), _as_datetime(stripped.filter(missing), fmt))
        missing = micros.is_null() & stripped.is_not_null()
    return micros.alias(values.name)


def _as_datetime(text: pl.Series, fmt: str) -> pl.Series:
    # Polars' parse cache only pays for repeated values; date-times are mostly unique.
    parsed = text.str.to_datetime(fmt, strict=False, time_unit="us", cache=False)
    if fmt in _OFFSET_FORMATS:
        parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return parsed.cast(pl.Int64)


def parse_temporal(values: pl.Series) -> tuple[pl.Series, bool]:
    """Epoch microseconds of dates or date-times, and whether any value carried a time of day."""
    stripped = values.str.strip_chars()
    short = _apply(short_of, stripped)
    dates = _date_micros(stripped) if short.any() else _nulls(values.name, len(values))
    if dates.null_count() == values.null_count():
        return dates, False
    if dates.null_count() == len(values):  # no date alone: every value is a date-time or nothing
        return parse_datetime(values), True
    rest = parse_datetime(values.filter(dates.is_null() & values.is_not_null()))
    return pl.select(pl.coalesce(dates, _spread(rest, dates.is_null() & values.is_not_null()))).to_series(), True


def _spread(subset: pl.Series, where: pl.Series) -> pl.Series:
    """Put the values of `subset` back at the positions where `where` is true."""
    return _nulls(subset.name, len(where), subset.dtype).scatter(where.arg_true(), subset)


def _nulls(name: str, length: int, dtype: pl.DataType | type[pl.DataType] = pl.Int64) -> pl.Series:
    return pl.Series(name, [], dtype=dtype).extend_constant(None, length)
