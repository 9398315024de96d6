"""Distinct count and top values of a column: an exact table while it is small, sketches after.

The exact table (value, count) is kept while it holds at most `limit` values within `budget`
bytes; then its content seeds a HyperLogLog sketch (distinct, hll.py) and a Misra-Gries
summary (top values, frequent.py), and only they are updated from then on, a whole batch's
value counts at a time (no Python loop per value). Values longer than 256 characters
are tallied by a readable key (prefix, length and hash), so no sketch keeps a huge string.

Once sketching, a batch's values are counted by their 64-bit hashes, sorted with numpy after
the query, not by a polars value count of the strings in it: on the 92 MB bench file that
count was the largest part of the batch query, the profile's critical path, for the columns of
many distinct values (about 1 ms a column against 0.2 ms for the sort, on a column thread).
The counts are those of the strings unless two distinct values share a hash (for a million
distinct values, a chance of about 3 in 100 million), which the distinct-count sketch assumes
already.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from .frequent import FrequentValues, top_rows
from .hll import HASH_SEED, HASH_VERSION, HyperLogLog

HLL_CONFIDENCE_STD_DEVS = 2  # about 95.4 % confidence for the reported bounds
LONG_VALUE_CHARS = 256
_PREFIX_CHARS = 200
_SCHEMA = pl.Schema({"value": pl.String, "count": pl.Int64})
_COUNTS = pl.Struct(_SCHEMA)
_EMPTY = pl.DataFrame(schema=_SCHEMA)  # frames are never changed in place: one empty table serves all
_PENDING_TABLES = 16


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


class _Sketches:
    """What replaces the exact table once it grows too big."""

    __slots__ = ("frequent", "hll")

    def __init__(self, hll: HyperLogLog | None = None, frequent: FrequentValues | None = None) -> None:
        self.hll = hll or HyperLogLog()
        self.frequent = frequent or FrequentValues()

    def update(self, counts: pl.DataFrame) -> None:
        self.hll.update(counts["value"])
        self.frequent.update(counts)

    def update_hashed(self, hashes: npt.NDArray[np.uint64], values: pl.Series) -> None:
        """Add a batch's non-null `values` by their `hashes` (HASH_SEED), in the same order."""
        if not len(hashes):
            return
        ordered = np.sort(hashes)
        starts = _run_starts(ordered)
        self.hll.update_hashes(ordered[starts])  # each value once: the registers are the same
        tallies = np.diff(np.append(starts, len(ordered)))
        self.frequent.update_tallies(tallies, lambda kept: _values_of(kept, hashes, values))


class ValueTally:
    __slots__ = ("exact", "pending", "sketches")

    def __init__(self) -> None:
        self.exact: pl.DataFrame | None = _EMPTY
        # Batches' counts not merged into `exact` yet (see `_absorb`); `_exact_table` merges them.
        self.pending: list[pl.DataFrame] = []
        self.sketches: _Sketches | None = None

    def observe(self, values: pl.Series, *, limit: int, budget: int) -> None:
        """Add non-null String values."""
        counts = tally_keys(values).alias("value").value_counts(name="count").cast(_SCHEMA)
        self._absorb(counts, limit=limit, budget=budget)

    @staticmethod
    def facts(text: pl.Expr, *, sketching: bool) -> dict[str, pl.Expr]:
        """The batch's value counts and whether a value may be too long to count as it is (a value
        of more than 256 bytes: no shorter one can have more than 256 characters); once the
        tally is `sketching`, the values' hashes too, for the distinct-count sketch (hashed in
        the query, beside the other columns' work, not after it in a call of its own)."""
        found = {"long": (text.str.len_bytes() > LONG_VALUE_CHARS).any()}
        if sketching:  # counted by their hashes after the query (see the module doc)
            return found | {"hashes": text.drop_nulls().hash(seed=HASH_SEED).implode()}
        return found | {"counts": text.drop_nulls().alias("value").value_counts(name="count").cast(_COUNTS).implode()}

    def absorb(self, facts: dict[str, Any], values: pl.Series, *, limit: int, budget: int) -> None:
        """`observe` from the batch's `facts`; its `values` are counted anew only when one is long."""
        if facts["long"]:
            self.observe(values.drop_nulls(), limit=limit, budget=budget)
            return
        if "table" in facts:  # counted in Python (see plain_facts.py)
            self._absorb(facts["table"], limit=limit, budget=budget)
            return
        if "hashes" in facts:  # asked for only once sketching, which a tally never stops
            assert self.sketches is not None
            hashes = facts["hashes"].to_numpy()
            self.sketches.update_hashed(hashes, values if len(hashes) == len(values) else values.drop_nulls())
            return
        self._absorb(facts["counts"].struct.unnest(), limit=limit, budget=budget)

    def merge(self, other: ValueTally, *, limit: int, budget: int) -> None:
        if other.sketches is None:
            self._absorb(_exact_table(other), limit=limit, budget=budget)
            return
        sketches = self._become_sketches()
        sketches.hll.merge(other.sketches.hll)
        sketches.frequent.merge(other.sketches.frequent)

    def distinct(self) -> Distinct:
        if self.sketches is None:
            height = _exact_table(self).height
            return Distinct(value=height, exact=True, lower_bound=height, upper_bound=height)
        hll = self.sketches.hll
        low, high = hll.bounds(HLL_CONFIDENCE_STD_DEVS)
        value = min(max(round(hll.estimate()), low), high)
        return Distinct(value=value, exact=False, lower_bound=low, upper_bound=high)

    def top(self, k: int) -> list[TopValue]:
        if self.sketches is None:
            rows = top_rows(_exact_table(self), k)
            return [TopValue(value=value, count=count, lower_bound=count, upper_bound=count) for value, count in rows]
        top = self.sketches.frequent.top(k)
        return [TopValue(value=value, count=high, lower_bound=low, upper_bound=high) for value, low, high in top]

    def _absorb(self, counts: pl.DataFrame, *, limit: int, budget: int) -> None:
        if self.exact is not None:
            parts = [self.exact, *self.pending, counts]
            # A merged table is no bigger than its parts: while theirs fit, the merge waits and
            # several batches are merged at once (a merge is a polars call that waits for polars'
            # threads, busy with the next batch's query).
            fits = sum(part.height for part in parts) <= limit and sum(p.estimated_size() for p in parts) <= budget
            if fits and len(self.pending) < _PENDING_TABLES:
                self.pending.append(counts)
                return
            merged = _merged(parts)
            if merged.height <= limit and merged.estimated_size() <= budget:
                self.exact, self.pending = merged, []
                return
        self._become_sketches().update(counts)

    def _become_sketches(self) -> _Sketches:
        if self.sketches is None:
            table, self.exact = _exact_table(self), None
            self.sketches = _Sketches()
            self.sketches.update(table)
        return self.sketches

    def to_json(self) -> dict[str, Any]:
        if self.sketches is None:
            table = _exact_table(self)
            return {"exact": {"values": table["value"].to_list(), "counts": table["count"].to_list()}}
        hll = {"hash": HASH_VERSION, "registers": self.sketches.hll.to_text()}
        return {"hll": hll, "frequent": self.sketches.frequent.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValueTally:
        """Raises ValueError for a sketch hashed by another polars version (its registers would not merge)."""
        tally = cls()
        if "exact" in data:
            tally.exact = pl.DataFrame(
                {"value": data["exact"]["values"], "count": data["exact"]["counts"]}, schema=_SCHEMA
            )
            return tally
        if data["hll"]["hash"] != HASH_VERSION:
            raise ValueError(f"a distinct-count sketch was hashed by {data['hll']['hash']}, not {HASH_VERSION}")
        tally.exact = None
        hll = HyperLogLog.from_text(data["hll"]["registers"])
        tally.sketches = _Sketches(hll, FrequentValues.from_json(data["frequent"]))
        return tally


def _exact_table(tally: ValueTally) -> pl.DataFrame:
    """The exact table, with the counts still pending merged in."""
    if tally.exact is None:
        return _EMPTY
    if tally.pending:
        tally.exact, tally.pending = _merged([tally.exact, *tally.pending]), []
    return tally.exact


def _merged(tables: list[pl.DataFrame]) -> pl.DataFrame:
    """One table of (value, count) summing the counts of `tables`."""
    tables = [table for table in tables if table.height]
    if len(tables) <= 1:  # one batch's counts are the table: small files skip a group-by
        return tables[0] if tables else _EMPTY
    return pl.concat(tables).group_by("value").agg(pl.col("count").sum())


def _values_of(kept: npt.NDArray[np.intp], hashes: npt.NDArray[np.uint64], values: pl.Series) -> list[str]:
    """The values whose hashes are the `kept` ones of the batch's distinct hashes in order:
    each read at one of its places, found by sorting the hashes again with their places
    (searching each value's hash among the kept ones cost 5 times more). The first sort has no
    places (a third of the cost): a column of unique values keeps none and never sorts twice."""
    order = np.argsort(hashes)
    return values.gather(order[_run_starts(hashes[order])[kept]]).to_list()


def _run_starts(ordered: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    """Where each run of equal values of a sorted array starts."""
    return np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))


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
