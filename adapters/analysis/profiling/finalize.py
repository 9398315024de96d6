"""Turn the merged partial profile into the result document (schema_version 2)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .checks.checker import SchemaChecker
from .partial import PartialProfile
from .progress import Tick, no_tick
from .result import (
    ColumnProfile,
    DataQuality,
    Distinct,
    FileFacts,
    Histogram,
    ProfileResult,
    Quantiles,
    SchemaCheck,
    Summary,
    TopValue,
    Violation,
)
from .stats.candidates import TemporalCandidate
from .stats.column import ColumnAccumulator
from .stats.distribution import QUANTILE_RANK_ERROR, Distribution
from .stats.histogram import histogram
from .stats.temporal_text import iso
from .stats.value_tally import HLL_CONFIDENCE_STD_DEVS

RANKS = {"p1": 0.01, "p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}
TOP_VALUES = 10
_CONFIDENCE = {1: 0.683, 2: 0.954, 3: 0.997}[HLL_CONFIDENCE_STD_DEVS]


def build_result(profile: PartialProfile, *, file_bytes: int, chunks: int, tick: Tick = no_tick) -> dict[str, Any]:
    """The result document; `tick` is called after every column."""
    result = result_model(profile, file_bytes=file_bytes, chunks=chunks, tick=tick)
    tick()  # a wide result takes long to validate and long to dump: a checkpoint between them
    return result.model_dump(mode="json")


def result_model(profile: PartialProfile, *, file_bytes: int, chunks: int, tick: Tick = no_tick) -> ProfileResult:
    """The result, as its model (`build_result` gives its document); `tick` is called after
    every column."""
    source = profile.chunk.source
    columns = []
    for position, column in enumerate(profile.columns.values()):
        columns.append(_column(column, position, profile.rows))
        tick()
    return ProfileResult(
        summary=Summary(rows=profile.rows, columns=len(profile.columns)),
        file=FileFacts(
            format=source.format,
            bytes=file_bytes,
            encoding=source.encoding,
            delimiter=source.delimiter,
            quote=source.quote,
            sheet=source.sheet,
            chunks=chunks,
        ),
        duration_seconds=round(profile.duration_seconds, 6),
        null_values=list(profile.settings.null_values),
        data_quality=DataQuality(
            ragged_rows=profile.ragged_rows, ragged_lines=profile.ragged_lines, blank_lines=profile.blank_lines
        ),
        columns=columns,
        schema_check=None if profile.checker is None else _schema_check(profile.checker),
    )


def _column(column: ColumnAccumulator, position: int, rows: int) -> ColumnProfile:
    kind = column.inferred_type()
    distinct = column.tally.distinct()
    fields: dict[str, Any] = {"min": None, "max": None, "mean": None, "std": None, "std_unit": None}
    fields |= {"quantiles": None, "quantile_rank_error": None, "non_finite": 0, "histogram": None}
    if column.numeric is not None and kind in ("integer", "float"):
        fields |= _numeric(column.numeric.distribution, column.numeric.low, column.numeric.high, kind == "integer")
    elif column.temporal is not None and kind in ("date", "datetime"):
        fields |= _temporal(column.temporal, has_time=kind == "datetime")
    elif column.boolean is not None and kind == "boolean":
        fields |= _boolean(column.boolean.trues, column.boolean.falses)
    elif kind == "string":
        fields |= {"min": column.text_min, "max": column.text_max}
    return ColumnProfile(
        name=column.name,
        position=position,
        type=kind,  # type: ignore[arg-type]
        count=column.count,
        nulls=rows - column.count,
        null_ratio=(rows - column.count) / rows if rows else 0.0,
        distinct=Distinct(
            value=distinct.value,
            exact=distinct.exact,
            lower_bound=distinct.lower_bound,
            upper_bound=distinct.upper_bound,
            confidence=None if distinct.exact else _CONFIDENCE,
        ),
        top_values=[
            TopValue(value=top.value, count=top.count, lower_bound=top.lower_bound, upper_bound=top.upper_bound)
            for top in column.tally.top(TOP_VALUES)
        ],
        top_values_exact=column.tally.exact is not None,
        **fields,
    )


def _numeric(distribution: Distribution, low: int | None, high: int | None, integral: bool) -> dict[str, Any]:
    values = distribution.quantiles(list(RANKS.values()))
    found = histogram(distribution, integral=integral)
    return {
        "min": low if integral else distribution.minimum,
        "max": high if integral else distribution.maximum,
        "mean": _mean(distribution),
        "std": distribution.moments.std,
        "non_finite": distribution.non_finite,
        "quantiles": _quantiles(values, round if integral else float),
        "quantile_rank_error": _rank_error(distribution),
        "histogram": None
        if found is None
        else Histogram(edges=list(found.edges), counts=found.counts, exact=found.exact),
    }


def _temporal(temporal: TemporalCandidate, *, has_time: bool) -> dict[str, Any]:
    distribution = temporal.distribution
    std = distribution.moments.std
    values = distribution.quantiles(list(RANKS.values()))
    found = histogram(distribution, integral=False)
    bins = None
    if found is not None:
        edges: list[float | str] = [iso(edge, has_time=True) for edge in found.edges]
        bins = Histogram(edges=edges, counts=found.counts, exact=found.exact)
    return {
        "min": None if temporal.low is None else iso(temporal.low, has_time=has_time),
        "max": None if temporal.high is None else iso(temporal.high, has_time=has_time),
        "mean": iso(distribution.moments.mean, has_time=True) if distribution.moments.count else None,
        "std": None if std is None else std / 1e6,
        "std_unit": "seconds",
        "quantiles": _quantiles(values, lambda value: iso(value, has_time=has_time)),
        "quantile_rank_error": _rank_error(distribution),
        "histogram": bins,
    }


def _boolean(trues: int, falses: int) -> dict[str, Any]:
    """Booleans as 0/1: the mean is the share of true values."""
    n = trues + falses
    share = trues / n
    std = math.sqrt(share * (1 - share) * n / (n - 1)) if n > 1 else None
    return {"min": falses == 0, "max": trues > 0, "mean": share, "std": std}


def _quantiles(values: list[float] | None, spell: Callable[[float], Any]) -> Quantiles | None:
    if values is None:
        return None
    return Quantiles(**{name: spell(value) for name, value in zip(RANKS, values, strict=True)})


def _rank_error(distribution: Distribution) -> float | None:
    return None if distribution.exact else QUANTILE_RANK_ERROR


def _mean(distribution: Distribution) -> float | None:
    return distribution.moments.mean if distribution.moments.count else None


def _schema_check(checker: SchemaChecker) -> SchemaCheck:
    log = checker.log
    by_rule: dict[str, int] = {}
    for rules in log.counts.values():
        for rule, n in rules.items():
            by_rule[rule] = by_rule.get(rule, 0) + n
    total = sum(by_rule.values())
    return SchemaCheck(
        valid=total == 0,
        violations_total=total,
        counts_by_rule=by_rule,
        counts_by_column={column: dict(rules) for column, rules in log.counts.items()},
        violations=[Violation(**entry) for entry in log.entries],
        truncated=total > len(log.entries),
        max_violations=log.cap,
    )
