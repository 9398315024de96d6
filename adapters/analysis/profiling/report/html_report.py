"""A self-contained HTML report: inline CSS and SVG, no scripts, no external assets.

Everything that came from the file is escaped, and text a spreadsheet would run as a
formula is neutralised, since people copy report tables into spreadsheets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..progress import Tick, no_tick
from ..result import ColumnProfile, ProfileResult, SchemaCheck, validated
from .neutralise import neutralise
from .svg import esc, histogram_svg, null_bar_svg, top_values_svg

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
section{margin:1.5rem 0;padding-top:.5rem;border-top:2px solid #eee}.bar{fill:#4a7fb5}.track{fill:#e5e5e5}
.nulls{fill:#d0533f}.axis{font-size:10px;fill:#555}.label{font-size:11px;fill:#222}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(result: ProfileResult | dict[str, Any], *, tick: Tick = no_tick) -> str:
    """Raises pydantic.ValidationError when `result` is not a schema_version 2 result.

    `tick` is called after every column's section.
    """
    profile = validated(result)
    facts = profile.file
    overview = [
        ("format", facts.format),
        ("rows", f"{profile.summary.rows:,}"),
        ("columns", f"{profile.summary.columns:,}"),
        ("bytes", f"{facts.bytes:,}"),
        ("encoding", facts.encoding or "—"),
        ("delimiter", repr(facts.delimiter) if facts.delimiter else "—"),
        ("sheet", facts.sheet or "—"),
        ("chunks", facts.chunks),
        ("duration", f"{profile.duration_seconds:.2f} s"),
        ("ragged rows", f"{profile.data_quality.ragged_rows:,}"),
        ("blank lines", f"{profile.data_quality.blank_lines:,}"),
    ]
    body = [
        "<h1>Report profile</h1>",
        _table(("fact", "value"), overview),
        "<h2>Columns</h2>",
        _columns_table(profile.columns),
        *(_ticked(_column_section(column), tick) for column in profile.columns),
    ]
    if profile.schema_check is not None:
        body.append(_schema_section(profile.schema_check))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>Report profile</title><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


def _ticked(section: str, tick: Tick) -> str:
    tick()
    return section


def _columns_table(columns: list[ColumnProfile]) -> str:
    head = ("column", "type", "count", "nulls", "", "distinct", "min", "max")
    rows = [
        (c.name, c.type, f"{c.count:,}", f"{c.nulls:,}", _Raw(null_bar_svg(c.null_ratio)), _distinct(c), c.min, c.max)
        for c in columns
    ]
    return _table(head, rows)


def _column_section(column: ColumnProfile) -> str:
    facts = [
        ("type", column.type),
        ("mean", column.mean),
        ("std", None if column.std is None else f"{column.std:g}{' s' if column.std_unit else ''}"),
        ("non-finite", column.non_finite or None),
    ]
    if column.quantiles is not None:
        facts += list(column.quantiles.model_dump().items())
        if column.quantile_rank_error is not None:
            facts.append(("quantile rank error", f"±{column.quantile_rank_error:.2%}"))
    parts = [f"<section><h3>{esc(neutralise(column.name))}</h3>", _table(("statistic", "value"), facts)]
    if column.histogram is not None:
        approximate = "" if column.histogram.exact else " (approximate)"
        parts.append(f"<h4>Histogram{approximate}</h4>{histogram_svg(column.histogram)}")
    if column.top_values:
        approximate = "" if column.top_values_exact else " (approximate counts)"
        parts.append(f"<h4>Top values{approximate}</h4>{top_values_svg(column.top_values)}")
    parts.append("</section>")
    return "".join(parts)


def _schema_section(check: SchemaCheck) -> str:
    verdict = "valid" if check.valid else f"{check.violations_total:,} violations"
    counts = _table(("rule", "violations"), [(rule, f"{n:,}") for rule, n in sorted(check.counts_by_rule.items())])
    rows = [(v.line, v.column, v.rule, v.value, v.message) for v in check.violations]
    note = f"<p>First {len(rows):,} shown.</p>" if check.truncated else ""
    listing = _table(("line", "column", "rule", "value", "message"), rows)
    return f"<section><h2>Schema check: {esc(verdict)}</h2>{counts}{note}{listing}</section>"


def _distinct(column: ColumnProfile) -> str:
    distinct = column.distinct
    if distinct.exact:
        return f"{distinct.value:,}"
    return f"≈{distinct.value:,} ({distinct.lower_bound:,} to {distinct.upper_bound:,})"


class _Raw(str):
    """Markup this module built itself (an SVG chart): inserted as is."""


def _table(head: tuple[str, ...], rows: Sequence[Sequence[object]]) -> str:
    header = "".join(f"<th>{esc(cell)}</th>" for cell in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return "—"
    return esc(neutralise(value) if isinstance(value, str) else value)
