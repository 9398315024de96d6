"""Distinct count and top values of a column: an exact table while it is small, sketches after.

The exact table (value, count) is kept while it holds at most `limit` values within `budget`
bytes; then its content seeds an HLL sketch (distinct) and a frequent-items sketch (top
values), and only the sketches are updated from then on. Values longer than 256 characters
are tallied by a readable key (prefix, length and hash), so no sketch keeps a huge string.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Any

import polars as pl
from datasketches import (  # type: ignore[import-untyped,unused-ignore]
    frequent_items_error_type,
    frequent_strings_sketch,
    hll_sketch,
    hll_union,
    tgt_hll_type,
)

from .codec import from_text, to_text

HLL_LG_K = 14
HLL_CONFIDENCE_STD_DEVS = 2  # about 95.4 % confidence for the reported bounds
FREQUENT_LG_MAX_K = 10
LONG_VALUE_CHARS = 256
_PREFIX_CHARS = 200
_FEED_SLICE = 8192
_SCHEMA = pl.Schema({"value": pl.String, "count": pl.Int64})


@dataclass(frozen=True, slots=True, kw_only=True)
class Distinct:
    value: int
    exact: bool
    lower_bound: int
    upper_bound: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TopValue:
    value: str
    count: int
    lower_bound: int
    upper_bound: int


class ValueTally:
    __slots__ = ("exact", "frequent", "hll")

    def __init__(self) -> None:
        self.exact: pl.DataFrame | None = pl.DataFrame(schema=_SCHEMA)
        self.hll: Any = None
        self.frequent: Any = None

    def observe(self, values: pl.Series, *, limit: int, budget: int) -> None:
        """Add non-null String values."""
        counts = tally_keys(values).alias("value").value_counts(name="count")
        self._absorb(counts.cast(_SCHEMA), limit=limit, budget=budget)

    def merge(self, other: ValueTally, *, limit: int, budget: int) -> None:
        if other.exact is not None:
            self._absorb(other.exact, limit=limit, budget=budget)
            return
        self._become_sketches()
        self.hll = _union(self.hll, other.hll)
        self.frequent.merge(other.frequent)

    def distinct(self) -> Distinct:
        if self.exact is not None:
            height = self.exact.height
            return Distinct(value=height, exact=True, lower_bound=height, upper_bound=height)
        return Distinct(
            value=round(self.hll.get_estimate()),
            exact=False,
            lower_bound=int(self.hll.get_lower_bound(HLL_CONFIDENCE_STD_DEVS)),
            upper_bound=int(self.hll.get_upper_bound(HLL_CONFIDENCE_STD_DEVS) + 0.999),
        )

    def top(self, k: int) -> list[TopValue]:
        if self.exact is not None:
            rows = self.exact.sort(["count", "value"], descending=[True, False]).head(k).iter_rows()
            return [TopValue(value=value, count=count, lower_bound=count, upper_bound=count) for value, count in rows]
        items = self.frequent.get_frequent_items(frequent_items_error_type.NO_FALSE_NEGATIVES)
        items.sort(key=lambda item: (-item[1], item[0]))
        return [TopValue(value=v, count=int(e), lower_bound=int(lo), upper_bound=int(hi)) for v, e, lo, hi in items[:k]]

    def _absorb(self, counts: pl.DataFrame, *, limit: int, budget: int) -> None:
        if self.exact is not None:
            merged = pl.concat([self.exact, counts]).group_by("value").agg(pl.col("count").sum())
            if merged.height <= limit and merged.estimated_size() <= budget:
                self.exact = merged
                return
            self._become_sketches()
        self._feed(counts)

    def _become_sketches(self) -> None:
        if self.exact is None:
            return
        table, self.exact = self.exact, None
        self.hll = hll_sketch(HLL_LG_K, tgt_hll_type.HLL_8)
        self.frequent = frequent_strings_sketch(FREQUENT_LG_MAX_K)
        self._feed(table)

    def _feed(self, counts: pl.DataFrame) -> None:
        # map() drives the C++ update calls without a Python-level loop body: ~30 % faster. It
        # holds the GIL throughout, so it runs on slices: other threads (the one calling the
        # checkpoint) get their turn in between.
        for piece in counts.iter_slices(_FEED_SLICE):
            values, weights = piece["value"].to_list(), piece["count"].to_list()
            deque(map(self.hll.update, values), maxlen=0)
            deque(map(self.frequent.update, values, weights), maxlen=0)

    def to_json(self) -> dict[str, Any]:
        if self.exact is not None:
            return {"exact": {"values": self.exact["value"].to_list(), "counts": self.exact["count"].to_list()}}
        return {"hll": to_text(self.hll.serialize_compact()), "frequent": to_text(self.frequent.serialize())}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValueTally:
        tally = cls()
        if "exact" in data:
            tally.exact = pl.DataFrame(
                {"value": data["exact"]["values"], "count": data["exact"]["counts"]}, schema=_SCHEMA
            )
            return tally
        tally.exact = None
        tally.hll = hll_sketch.deserialize(from_text(data["hll"]))
        tally.frequent = frequent_strings_sketch.deserialize(from_text(data["frequent"]))
        return tally


def tally_keys(values: pl.Series) -> pl.Series:
    """The values, with each one longer than 256 characters replaced by its readable key."""
    long = values.str.len_chars() > LONG_VALUE_CHARS
    if not long.any():
        return values
    keys = [long_value_key(value) for value in values.filter(long).to_list()]
    return values.clone().scatter(long.arg_true(), keys)


def long_value_key(value: str) -> str:
    digest = hashlib.blake2b(value.encode(), digest_size=8).hexdigest()
    return f"{value[:_PREFIX_CHARS]}… [{len(value):,} characters, #{digest}]"


def _union(left: Any, right: Any) -> Any:
    union = hll_union(HLL_LG_K)
    union.update(left)
    union.update(right)
    return union.get_result(tgt_hll_type.HLL_8)
