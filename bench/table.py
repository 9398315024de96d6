"""The one table of `make bench`: medians and ranges over the repetitions, and the ratios."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One metric of one part: reportflow's values and one reference's, one per repetition."""

    part: str
    metric: str
    higher_is_better: bool
    reportflow: tuple[float, ...]
    reference: str
    reference_values: tuple[float, ...]

    @property
    def ratio(self) -> float:
        """reportflow's median over the reference's (above 1 is better for throughput, worse for time)."""
        return statistics.median(self.reportflow) / statistics.median(self.reference_values)


def number(value: float) -> str:
    """Three significant figures without an exponent: 0.123, 12.3, 123, 12345."""
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def spread(values: tuple[float, ...]) -> str:
    """The median, then the range: "110 (105-115)"."""
    if not values:
        return "-"
    return f"{number(statistics.median(values))} ({number(min(values))}-{number(max(values))})"


def render(rows: list[Row]) -> str:
    """A Markdown table, one line per row."""
    lines = [
        "| part | metric | reportflow, median (min-max) | reference | reference, median (min-max) | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        arrow = "↑" if row.higher_is_better else "↓"
        ratio = f"{number(row.ratio)}x" if row.reportflow and row.reference_values else "-"
        lines.append(
            f"| {row.part} | {row.metric} {arrow} | {spread(row.reportflow)} | {row.reference}"
            f" | {spread(row.reference_values)} | {ratio} |"
        )
    return "\n".join(lines)
