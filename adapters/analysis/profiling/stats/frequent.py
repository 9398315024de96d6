"""The most frequent values of a column, as a Misra-Gries summary updated a batch at a time.

At most `CAPACITY` (value, count) pairs are kept. A batch's value counts are added to them;
whenever more than `CAPACITY` values remain, the (CAPACITY+1)-th largest count is subtracted
from every count (values reaching zero are dropped) and added to `offset`. Every value's true
count then lies in [count, count + offset], and offset <= total / (CAPACITY + 1). Two
summaries merge the same way (Agarwal et al., "Mergeable summaries", 2012).

The summary is a dict and a batch is cut down with numpy: a polars call waits for polars'
threads, which the batch queries of the other columns keep busy (the four small polars calls
this took per batch waited about 1 ms each while profiling a large file).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

CAPACITY = 1024
# Up to this many rows, sorting in Python costs less than a polars sort's fixed cost (a few
# microseconds against about 150 for the few rows of a small file's columns; measured by
# hand, bench/results/round-f05a29a-0ec0726.md).
PYTHON_SORT_ROWS = 64


class FrequentValues:
    __slots__ = ("counts", "offset")

    def __init__(self, counts: dict[str, int] | None = None, offset: int = 0) -> None:
        self.counts = {} if counts is None else counts
        self.offset = offset

    def update(self, counts: pl.DataFrame) -> None:
        """Add a table of (value, count) with distinct values.

        The batch is summarised on its own first (a summary of a summary is one too): merging
        two summaries of at most CAPACITY values is cheap, whereas a batch of unique values
        would otherwise be merged value by value.
        """
        values = counts.get_column("value")
        self.update_tallies(counts.get_column("count").to_numpy(), lambda kept: values.gather(kept).to_list())

    def update_tallies(
        self, tallies: npt.NDArray[np.int64], values_of: Callable[[npt.NDArray[np.intp]], list[str]]
    ) -> None:
        """`update` from the counts of distinct values; `values_of(indices)` gives the values
        at those indices of `tallies`, asked for only for the values the summary keeps."""
        if len(tallies) > CAPACITY:
            cut = _cut(tallies)
            self.offset += cut
            kept = np.flatnonzero(tallies > cut)  # none when every value is as rare as the cut (unique ids)
            tallies = tallies[kept] - cut
        else:
            kept = np.arange(len(tallies))
        if len(kept):
            self._add(zip(values_of(kept), tallies.tolist(), strict=True))

    def merge(self, other: FrequentValues) -> None:
        self._add(other.counts.items())
        self.offset += other.offset

    def _add(self, pairs: Iterable[tuple[str, int]]) -> None:
        counts = self.counts
        for value, count in pairs:
            counts[value] = counts.get(value, 0) + count
        if len(counts) > CAPACITY:
            cut = _cut(np.fromiter(counts.values(), np.int64, len(counts)))
            self.offset += cut
            self.counts = {value: count - cut for value, count in counts.items() if count > cut}

    def top(self, k: int) -> list[tuple[str, int, int]]:
        """The k values with the largest counts: (value, lower bound, upper bound), ties by value."""
        return [(value, count, count + self.offset) for value, count in _largest(self.counts.items(), k)]

    def to_json(self) -> dict[str, Any]:
        return {"values": list(self.counts), "counts": list(self.counts.values()), "offset": self.offset}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FrequentValues:
        counts = dict(zip(data["values"], (int(count) for count in data["counts"]), strict=True))
        return cls(counts, int(data["offset"]))


def _cut(tallies: np.ndarray[Any, Any]) -> int:
    """The (CAPACITY+1)-th largest of more than CAPACITY counts."""
    at = len(tallies) - CAPACITY - 1
    return int(np.partition(tallies, at)[at])


def top_rows(table: pl.DataFrame, k: int) -> list[tuple[str, int]]:
    """The k (value, count) rows of a table with the largest counts, ties by value."""
    if table.height <= PYTHON_SORT_ROWS:
        return _largest(table.iter_rows(), k)
    return list(table.sort(["count", "value"], descending=[True, False]).head(k).iter_rows())


def _largest(rows: Iterable[tuple[str, int]], k: int) -> list[tuple[str, int]]:
    """The k (value, count) rows with the largest counts, ties by value (Python orders strings
    by code point and polars by UTF-8 bytes, which is the same order)."""
    return heapq.nsmallest(k, rows, key=lambda row: (-row[1], row[0]))
