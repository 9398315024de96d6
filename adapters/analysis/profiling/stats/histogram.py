"""Histogram bins from the exact extremes, counts from the merged KLL sketch's PMF."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .distribution import Distribution

BINS = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Bins:
    """Left-closed bins [edge_i, edge_i+1); the last one also holds the maximum."""

    edges: list[float]
    counts: list[int]
    exact: bool


def histogram(distribution: Distribution, *, integral: bool) -> Bins | None:
    low, high, n = distribution.minimum, distribution.maximum, distribution.moments.count
    if low is None or high is None or n == 0:
        return None
    if low == high:
        return Bins(edges=[low, high], counts=[n], exact=True)
    if integral and high - low < BINS:
        edges = [low + step for step in range(int(high - low) + 2)]  # one bin per integer
    else:
        width = (high - low) / BINS
        edges = [low + step * width for step in range(BINS)] + [high]
    splits = edges[1:-1]
    if any(right <= left for left, right in pairwise(splits)):
        return Bins(edges=[low, high], counts=[n], exact=True)  # a range too narrow for floats to split
    counts = [round(mass * n) for mass in distribution.masses(splits)]
    return Bins(edges=edges, counts=counts, exact=distribution.exact)
