"""Inline SVG charts. Every piece of text passes through `esc`; geometry is computed numbers only."""

from __future__ import annotations

from html import escape

from ..result import Histogram, TopValue

_WIDTH, _HEIGHT = 360, 120
_LABEL_CHARS = 26


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def histogram_svg(histogram: Histogram) -> str:
    counts = histogram.counts
    peak = max(max(counts), 1)
    width = _WIDTH / max(len(counts), 1)
    bars = []
    for index, count in enumerate(counts):
        height = (_HEIGHT - 20) * count / peak
        low, high = histogram.edges[index], histogram.edges[index + 1]
        bars.append(
            f'<rect x="{index * width:.2f}" y="{_HEIGHT - 20 - height:.2f}" width="{max(width - 1, 1):.2f}" '
            f'height="{height:.2f}" class="bar"><title>{esc(low)} to {esc(high)}: {count:,}</title></rect>'
        )
    first, last = esc(_short(histogram.edges[0])), esc(_short(histogram.edges[-1]))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" role="img" '
        f'aria-label="histogram">{"".join(bars)}'
        f'<text x="0" y="{_HEIGHT - 4}" class="axis">{first}</text>'
        f'<text x="{_WIDTH}" y="{_HEIGHT - 4}" class="axis" text-anchor="end">{last}</text></svg>'
    )


def top_values_svg(values: list[TopValue]) -> str:
    if not values:
        return ""
    peak = max(max(value.count for value in values), 1)
    row = 18
    parts = []
    for index, value in enumerate(values):
        y = index * row
        length = 180 * value.count / peak
        parts.append(
            f'<text x="0" y="{y + 13}" class="label">{esc(_short(value.value))}</text>'
            f'<rect x="170" y="{y + 3}" width="{length:.2f}" height="{row - 6}" class="bar">'
            f"<title>{esc(value.value)}: {value.count:,}</title></rect>"
            f'<text x="{174 + length:.2f}" y="{y + 13}" class="axis">{value.count:,}</text>'
        )
    height = row * len(values)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH + 60}" height="{height}" role="img" '
        f'aria-label="top values">{"".join(parts)}</svg>'
    )


def null_bar_svg(ratio: float) -> str:
    filled = 100 * min(max(ratio, 0.0), 1.0)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="10" role="img" aria-label="nulls">'
        '<rect x="0" y="0" width="100" height="10" class="track"/>'
        f'<rect x="0" y="0" width="{filled:.2f}" height="10" class="nulls"/></svg>'
    )


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"
