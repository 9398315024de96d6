"""The batch-fed distinct-count and top-values sketches: accurate, and merged equal to one pass."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from adapters.analysis.profiling.stats.column import first_row
from adapters.analysis.profiling.stats.frequent import CAPACITY, FrequentValues
from adapters.analysis.profiling.stats.hll import HyperLogLog, _ranks
from adapters.analysis.profiling.stats.value_tally import ValueTally


def _values(start: int, stop: int) -> pl.Series:
    return pl.Series("value", np.arange(start, stop).astype(str))


def _rank(word: int) -> int:
    """A hash's rank by definition: leading zeros of its low 50 bits, plus one."""
    return 50 - (word & (2**50 - 1)).bit_length() + 1


def test_ranks_are_exact_at_the_edges_of_the_low_bits() -> None:
    words = [0, 1, 2**49, 2**50 - 1, 2**50, 2**50 + 1, 2**53 + 1, 2**63, 2**64 - 1, 3 * 2**50 + 5]

    assert _ranks(np.array(words, dtype=np.uint64)).tolist() == [_rank(word) for word in words]


def test_ranks_of_random_hashes_of_every_length_are_exact() -> None:
    rng = np.random.default_rng(7)
    words = rng.integers(0, 2**63, 10_000, dtype=np.uint64) >> rng.integers(0, 64, 10_000).astype(np.uint64)

    assert _ranks(words).tolist() == [_rank(word) for word in words.tolist()]


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


def test_a_sketching_tally_fed_by_batch_queries_holds_the_registers_of_one_pass() -> None:
    """Once sketching, a batch's values are hashed in its query, and their strings are no longer
    counted there (that count was the largest part of a large file's batch query): the
    registers are those of hashing every value after the query, the top values those of the
    counts."""
    batches = [_values(start, start + 3_000) for start in range(0, 15_000, 2_500)]  # overlapping
    tally = ValueTally()
    hashed = []
    for batch in batches:
        steps = ValueTally.facts(pl.first(), sketching=tally.sketches is not None)
        facts = first_row(batch.to_frame().select(**steps))
        hashed.append("hashes" in facts and "counts" not in facts)
        tally.absorb(facts, batch, limit=1_000, budget=2**20)

    whole = ValueTally()
    for batch in batches:
        whole.observe(batch, limit=1_000, budget=2**20)

    assert hashed == [False] + [True] * (len(batches) - 1)
    assert tally.sketches is not None and whole.sketches is not None
    assert np.array_equal(tally.sketches.hll.registers, whole.sketches.hll.registers)
    assert tally.top(5) == whole.top(5)


def test_batches_wait_to_be_merged_while_they_fit_and_the_table_turns_to_sketches_exactly_past_the_limit() -> None:
    """Merging exact tables is deferred (see ValueTally._absorb), never past the limit."""
    tally = ValueTally()
    for batch in range(40):  # 50 new values a batch, and every earlier one again
        tally.observe(_values(0, 50 * (batch + 1)), limit=1_000, budget=2**20)
        assert len(tally.pending) <= 16
        assert (tally.sketches is None) == (batch < 20)  # 1,000 distinct values after the 20th: still exact

    exact = ValueTally()
    for batch in range(20):
        exact.observe(_values(0, 50 * (batch + 1)), limit=1_000, budget=2**20)

    assert exact.sketches is None and exact.distinct().value == 1_000
    assert [(top.value, top.count) for top in exact.top(3)] == [("0", 20), ("1", 20), ("10", 20)]
    assert not exact.pending  # reading the table merged what waited


@pytest.mark.parametrize("seed", range(4))
def test_batches_counted_by_their_hashes_give_the_summary_and_registers_of_counted_strings(seed: int) -> None:
    """A sketching tally counts a batch by sorting its values' hashes: with repeated values
    (some kept by the summary, some cut), nulls and batches both under and over the summary's
    capacity, the summary and registers are those of polars' value counts of the strings."""
    rng = np.random.default_rng(seed)
    hot = [f"hot{i}" for i in range(40)]
    batches = []
    for size in (5_000, 3_000, 700, 4_000, 900, 6_000):
        words = np.where(rng.random(size) < 0.3, rng.choice(hot, size), rng.integers(0, 3_000, size).astype(str))
        batch = pl.Series("value", words).scatter(rng.integers(0, size, size // 20), None)  # some nulls
        batches.append(batch)
    hashed, counted = ValueTally(), ValueTally()
    for batch in batches:
        steps = ValueTally.facts(pl.first(), sketching=hashed.sketches is not None)
        hashed.absorb(first_row(batch.to_frame().select(**steps)), batch, limit=1_000, budget=2**20)
        counted.observe(batch.drop_nulls(), limit=1_000, budget=2**20)

    assert hashed.sketches is not None and counted.sketches is not None
    assert hashed.sketches.frequent.counts == counted.sketches.frequent.counts
    assert hashed.sketches.frequent.offset == counted.sketches.frequent.offset > 0
    assert any(value.startswith("hot") for value in hashed.sketches.frequent.counts)
    assert np.array_equal(hashed.sketches.hll.registers, counted.sketches.hll.registers)


def test_a_batch_without_values_leaves_the_sketches_as_they_were() -> None:
    tally = ValueTally()
    tally.observe(_values(0, 5_000), limit=1_000, budget=2**20)
    assert tally.sketches is not None
    registers, counts = tally.sketches.hll.registers.copy(), dict(tally.sketches.frequent.counts)

    tally.sketches.update_hashed(np.zeros(0, np.uint64), pl.Series("value", [], pl.String))

    assert np.array_equal(tally.sketches.hll.registers, registers)
    assert tally.sketches.frequent.counts == counts
