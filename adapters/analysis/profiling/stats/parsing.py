"""How text becomes a typed value: the one definition shared by type inference and schema checks.

integer: an optional sign and digits (fits in 64 bits); float: anything polars reads as a
float, including NaN and infinities; boolean: true/false in any case; date: YYYY-MM-DD;
datetime: ISO 8601 with a space or T, optional seconds, fraction and offset (converted to
UTC). Surrounding blank space is ignored. Temporal values become epoch microseconds.
"""

from __future__ import annotations

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


def parse_float(values: pl.Series) -> pl.Series:
    return values.str.strip_chars().cast(pl.Float64, strict=False)


def parse_integer(values: pl.Series) -> pl.Series:
    return values.str.strip_chars().cast(pl.Int64, strict=False)


def parse_boolean(values: pl.Series) -> pl.Series:
    lowered = values.str.strip_chars().str.to_lowercase()
    return pl.select(
        pl.when(lowered == "true").then(True).when(lowered == "false").then(False).otherwise(None).alias(values.name)
    ).to_series()


def parse_date(values: pl.Series) -> pl.Series:
    """Epoch microseconds of YYYY-MM-DD values, null elsewhere."""
    days = values.str.strip_chars().str.to_date("%Y-%m-%d", strict=False, cache=False)
    return days.cast(pl.Int64) * MICROS_PER_DAY


def parse_datetime(values: pl.Series) -> pl.Series:
    """Epoch microseconds (UTC) of ISO 8601 date-times, null elsewhere (dates alone included).

    The formats exclude one another, so each is tried only on the values the ones before it
    left unparsed: a column in one format costs one parse, not eight.
    """
    stripped = values.str.strip_chars()
    micros = _as_datetime(stripped, _FORMATS[0])
    missing = micros.is_null() & stripped.is_not_null()
    if missing.any() and not stripped.filter(missing).str.contains(_ISO_PREFIX).all():
        return pl.Series(values.name, [None] * len(values), dtype=pl.Int64)  # text that is no date-time
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
    short = values.str.strip_chars().str.len_bytes() <= _DATE_BYTES  # longer text is no YYYY-MM-DD date
    dates = parse_date(values) if short.any() else pl.Series(values.name, [None] * len(values), dtype=pl.Int64)
    if dates.null_count() == values.null_count():
        return dates, False
    rest = parse_datetime(values.filter(dates.is_null() & values.is_not_null()))
    return pl.select(pl.coalesce(dates, _spread(rest, dates.is_null() & values.is_not_null()))).to_series(), True


def _spread(subset: pl.Series, where: pl.Series) -> pl.Series:
    """Put the values of `subset` back at the positions where `where` is true."""
    full = pl.Series(subset.name, [None] * len(where), dtype=subset.dtype)
    return full.scatter(where.arg_true(), subset)
