"""The batch-fed distinct-count and top-values sketches: accurate, and merged equal to one pass."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from adapters.analysis.profiling.stats.frequent import CAPACITY, FrequentValues
from adapters.analysis.profiling.stats.hll import HyperLogLog, _leading_zeros
from adapters.analysis.profiling.stats.value_tally import ValueTally


def _values(start: int, stop: int) -> pl.Series:
    return pl.Series("value", np.arange(start, stop).astype(str))


def test_leading_zeros_are_counted_exactly_across_both_halves_of_a_word() -> None:
    words = np.array([1, 2**31, 2**32 - 1, 2**32, 2**53 + 1, 2**63, 2**64 - 1], dtype=np.uint64)

    counted = _leading_zeros(words)

    assert counted.tolist() == [64 - int(word).bit_length() for word in words.tolist()]


def test_leading_zeros_of_random_words_of_every_length_are_exact() -> None:
    rng = np.random.default_rng(7)
    words = rng.integers(1, 2**63, 10_000, dtype=np.uint64) >> rng.integers(0, 63, 10_000).astype(np.uint64)
    words[words == 0] = 1

    assert _leading_zeros(words).tolist() == [64 - int(word).bit_length() for word in words.tolist()]


@pytest.mark.parametrize("n", [1, 100, 5_000, 50_000, 500_000])
def test_the_distinct_estimate_is_within_its_bounds_and_three_percent(n: int) -> None:
    sketch = HyperLogLog()

    sketch.update(_values(0, n))

    low, high = sketch.bounds(2)
    assert low <= n <= high
    assert abs(sketch.estimate() - n) <= max(0.03 * n, 1)


def test_merged_distinct_sketches_equal_the_single_pass_sketch() -> None:
    whole, left, right = HyperLogLog(), HyperLogLog(), HyperLogLog()
    whole.update(_values(0, 80_000))
    left.update(_values(0, 50_000))
    right.update(_values(30_000, 80_000))

    left.merge(right)

    assert np.array_equal(left.registers, whole.registers)


def test_the_bounds_of_frequent_values_hold_the_true_counts_after_updates_and_merges() -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate([np.full(9_000, "hot"), np.full(4_000, "warm"), rng.integers(0, 10**6, 60_000).astype(str)])
    rng.shuffle(values)
    parts = []
    for piece in np.array_split(values, 6):
        part = FrequentValues()
        for batch in np.array_split(piece, 4):
            part.update(pl.Series("value", batch).value_counts(name="count").cast({"count": pl.Int64}))
        parts.append(part)
    total = parts[0]
    for part in parts[1:]:
        total.merge(part)

    truth = dict(zip(*np.unique(values, return_counts=True), strict=True))
    top = total.top(2)
    assert [value for value, _, _ in top] == ["hot", "warm"]
    assert all(low <= truth[value] <= high for value, low, high in total.top(CAPACITY))
    assert total.offset <= len(values) / (CAPACITY + 1)


def test_a_partial_whose_distinct_sketch_was_hashed_by_another_polars_version_is_refused() -> None:
    tally = ValueTally()
    tally.observe(_values(0, 20_000), limit=1_000, budget=2**20)
    data = tally.to_json()
    data["hll"]["hash"] = "polars-0.0.1"

    with pytest.raises(ValueError, match=r"hashed by polars-0\.0\.1"):
        ValueTally.from_json(data)
