"""The most frequent values of a column, as a Misra-Gries summary updated a batch at a time.

At most `CAPACITY` (value, count) rows are kept in a polars table. A batch's value counts are
added to it; whenever more than `CAPACITY` values remain, the (CAPACITY+1)-th largest count is
subtracted from every count (values reaching zero are dropped) and added to `offset`. Every
value's true count then lies in [count, count + offset], and offset <= total / (CAPACITY + 1).
Two summaries merge the same way (Agarwal et al., "Mergeable summaries", 2012).
"""

from __future__ import annotations

import heapq
from typing import Any

import polars as pl

CAPACITY = 1024
SCHEMA = pl.Schema({"value": pl.String, "count": pl.Int64})
# Up to this many rows, sorting in Python costs less than a polars sort's fixed cost (a few
# microseconds against about 150 for the few rows of a small file's columns; measured by
# hand, bench/results/round-f05a29a-0ec0726.md).
PYTHON_SORT_ROWS = 64
_EMPTY = pl.DataFrame(schema=SCHEMA)  # frames are never changed in place: one empty table serves all


class FrequentValues:
    __slots__ = ("offset", "table")

    def __init__(self, table: pl.DataFrame | None = None, offset: int = 0) -> None:
        self.table = _EMPTY if table is None else table
        self.offset = offset

    def update(self, counts: pl.DataFrame) -> None:
        """Add a table of (value, count) with distinct values.

        The batch is summarised on its own first (a summary of a summary is one too): merging
        two tables of at most CAPACITY rows is cheap, whereas a batch of unique values would
        otherwise be grouped with the table row by row.
        """
        counts = self._shrunk(counts)
        if not counts.height:  # a batch of values rarer than its cut (unique ids) changes no count
            return
        if self.table.height:
            counts = self._shrunk(pl.concat([self.table, counts]).group_by("value").agg(pl.col("count").sum()))
        self.table = counts

    def merge(self, other: FrequentValues) -> None:
        self.update(other.table)
        self.offset += other.offset

    def _shrunk(self, counts: pl.DataFrame) -> pl.DataFrame:
        """At most CAPACITY rows: every count less the (CAPACITY+1)-th largest, which joins the offset."""
        if counts.height <= CAPACITY:
            return counts
        tallies = counts["count"]
        cut = int(tallies.top_k(CAPACITY + 1).min())  # type: ignore[arg-type]
        self.offset += cut
        if cut >= tallies.max():  # type: ignore[operator]
            return counts.clear()  # values all as rare as the cut (a batch of unique ids) keep nothing
        return counts.filter(pl.col("count") > cut).with_columns(pl.col("count") - cut)

    def top(self, k: int) -> list[tuple[str, int, int]]:
        """The k values with the largest counts: (value, lower bound, upper bound), ties by value."""
        return [(value, count, count + self.offset) for value, count in top_rows(self.table, k)]

    def to_json(self) -> dict[str, Any]:
        return {"values": self.table["value"].to_list(), "counts": self.table["count"].to_list(), "offset": self.offset}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FrequentValues:
        table = pl.DataFrame({"value": data["values"], "count": data["counts"]}, schema=SCHEMA)
        return cls(table, int(data["offset"]))


def top_rows(table: pl.DataFrame, k: int) -> list[tuple[str, int]]:
    """The k (value, count) rows with the largest counts, ties by value. Python orders strings
    by code point and polars by UTF-8 bytes, which is the same order."""
    if table.height <= PYTHON_SORT_ROWS:
        return heapq.nsmallest(k, table.iter_rows(), key=lambda row: (-row[1], row[0]))
    return list(table.sort(["count", "value"], descending=[True, False]).head(k).iter_rows())
