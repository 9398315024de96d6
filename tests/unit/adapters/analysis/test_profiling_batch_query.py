"""The per-batch query and its shortcuts give the statistics the per-value definitions give."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine
from adapters.analysis.profiling import partial as partial_module
from adapters.analysis.profiling.stats.column import ColumnAccumulator, first_row, run_steps, split_facts
from adapters.analysis.profiling.stats.frequent import CAPACITY, FrequentValues, top_rows
from adapters.analysis.profiling.stats.parsing import common_datetime_micros_of, parse_temporal

from .helpers import Write, column

COUNTS = pl.Schema({"value": pl.String, "count": pl.Int64})


def test_date_times_without_dates_parse_in_place_keeping_their_nulls() -> None:
    values = pl.Series("at", ["2024-01-02T00:00:01", None, " 2024-01-02 00:00:02 ", "2024-01-02T00:00:03+01:00"])

    micros, has_time = parse_temporal(values)

    day = 1_704_153_600_000_000
    assert has_time
    assert micros.to_list() == [day + 1_000_000, None, day + 2_000_000, day + 3_000_000 - 3_600_000_000]


def test_a_value_of_more_than_256_bytes_but_not_characters_is_counted_as_it_is(
    engine: ProfilingEngine, write: Write
) -> None:
    accented = "é" * 200  # 400 bytes, 200 characters
    path = write("text.csv", f"name\n{accented}\n{accented}\nplain\n")

    result = engine.analyze_path(path)

    assert column(result, "name")["top_values"][0] == {
        "value": accented,
        "count": 2,
        "lower_bound": 2,
        "upper_bound": 2,
    }


def test_a_batch_of_values_all_rarer_than_its_cut_only_raises_the_offset() -> None:
    frequent = FrequentValues()
    frequent.update(pl.DataFrame({"value": ["a", "b"], "count": [5, 3]}))
    unique = pl.DataFrame({"value": [f"u{n}" for n in range(CAPACITY + 10)], "count": [1] * (CAPACITY + 10)})

    frequent.update(unique)

    assert frequent.offset == 1
    assert frequent.top(2) == [("a", 5, 6), ("b", 3, 4)]


def test_every_column_of_a_batch_wider_than_a_query_gets_its_own_facts(engine: ProfilingEngine, write: Write) -> None:
    header = ",".join(f"c{n}" for n in range(70))  # three queries of at most 32 columns
    rows = "\n".join(",".join(str(n * 10 + row) if n % 2 else f"t{row}" for n in range(70)) for row in range(5))
    path = write("wide.csv", f"{header}\n{rows}\n")

    result = engine.analyze_path(path)

    assert [c["type"] for c in result["columns"]] == ["string", "integer"] * 35
    assert [column(result, f"c{n}")["min"] for n in (1, 33, 69)] == [10, 330, 690]
    assert [column(result, f"c{n}")["max"] for n in (2, 64)] == ["t4", "t4"]


EDGE_DATE_TIMES = [
    "2024-06-30T23:59:60",
    "2024-02-30T00:00:00",
    "2024-01-01T24:00:00",
    "2024-01-01T00:00:00.5",
    "2024-01-01T00:00:00.123456",
    "2024-01-01T00:00:00.1234567",
    "2024-1-01T00:00:00.000",
    "2024-01-01T0:00:00",
    "2024-01-01T00:00:00.",
    "0000-01-01T00:00:00",
    "+2024-01-01T00:00:00",
    "2024-01-01T00:00:0",
    "2024-01-01T00:00:00.-1",
    "2024-01-01T00:00:00.+1",
    "-001-01-01T00:00:00",
    "1969-12-31T23:59:59.999999",
    "2024-01-01T00:00:00.000001",
    "2024-01-01T00:00:00.1_2",
    "2024-01-01T00:00:00. 5",
    "2024-01-01T00:00:00.5 ",
    "2024-01-01T00:00:00.\uff10",  # a fullwidth digit
]


def test_the_common_date_time_spelling_parses_as_the_first_format_or_not_at_all() -> None:
    stripped = pl.Series("at", EDGE_DATE_TIMES)
    exact = stripped.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us", cache=False)

    fast = stripped.to_frame().select(common_datetime_micros_of(pl.col("at"))).to_series()

    pairs = list(zip(exact.cast(pl.Int64).to_list(), fast.to_list(), strict=True))
    assert all(got is None or got == expected for expected, got in pairs)
    assert sum(got is not None for _, got in pairs) >= 8


def _temporal_columns_in_batches_and_whole(path: Path, stamps: list[str], days: list[str]) -> None:
    """Profile the date-times `at` and dates `day` in 64 KiB batches (queried) and in one batch
    (parsed in full): both give the same type, count, extremes and moments."""
    pl.DataFrame({"at": stamps, "day": days}).write_csv(path)

    small = ProfilingEngine(block_bytes=64 * 1024).analyze_path(str(path))
    whole = ProfilingEngine().analyze_path(str(path))

    for name in ("at", "day"):
        ours, reference = column(small, name), column(whole, name)
        assert ours["type"] == reference["type"] == ("datetime" if name == "at" else "date")
        assert {key: ours[key] for key in ("count", "nulls", "min", "max")} == {
            key: reference[key] for key in ("count", "nulls", "min", "max")
        }
        assert abs(ours["std"] - reference["std"]) <= 1e-9 * reference["std"]


def test_a_column_of_date_times_profiled_in_many_batches_matches_one_batch(tmp_path: Path) -> None:
    stamps = [f"2024-01-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{n % 60:02d}.{n % 1000:03d}" for n in range(30_000)]
    stamps[25_000] = "2024-01-02 10:00"  # another format, in a later batch: it must parse the slow way
    days = [f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}" for n in range(30_000)]

    _temporal_columns_in_batches_and_whole(tmp_path / "times.csv", stamps, days)


@pytest.mark.parametrize("padded_from", [0, 20_000], ids=["padded throughout", "padded in a later batch"])
def test_dates_and_date_times_padded_with_blank_space_profile_as_in_one_batch(tmp_path: Path, padded_from: int) -> None:
    """The query parses temporal text as written until a batch holds padded values; that batch
    is parsed in full, and later ones are stripped in the query."""
    stamps = [f"2024-02-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.{n % 1000:03d}" for n in range(30_000)]
    days = [f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}" for n in range(30_000)]
    for values in (stamps, days):
        values[padded_from:] = [f" {value}  " if n % 3 else value for n, value in enumerate(values[padded_from:])]

    _temporal_columns_in_batches_and_whole(tmp_path / "padded.csv", stamps, days)


def test_a_boolean_spelt_unusually_in_a_later_batch_is_still_parsed_as_a_boolean(write: Write) -> None:
    flags = ["true", "false", "FALSE"] * 10_000 + [" tRuE "]
    path = write("flags.csv", "flag\n" + "\n".join(flags) + "\n")

    result = ProfilingEngine(block_bytes=64 * 1024).analyze_path(path)

    assert column(result, "flag")["type"] == "boolean"
    assert column(result, "flag")["mean"] == 10_001 / 30_001


def test_numbers_padded_with_blank_space_in_some_batches_are_profiled_as_unpadded_ones(write: Write) -> None:
    numbers = [str(n * 7 - 500) for n in range(3000)]
    pad = [index % 1000 > 500 for index in range(len(numbers))]
    engine = ProfilingEngine(block_bytes=4096)  # many batches: plain, then padded, then plain again

    plain = engine.analyze_path(write("plain.csv", "n,x\n" + "".join(f"{v},{v}.5\n" for v in numbers)))
    rows = "".join(f"  {v}\t, {v}.5 \n" if padded else f"{v},{v}.5\n" for v, padded in zip(numbers, pad, strict=True))
    result = engine.analyze_path(write("padded.csv", "n,x\n" + rows))

    for name, kind in (("n", "integer"), ("x", "float")):
        ours, theirs = column(result, name), column(plain, name)
        assert ours["type"] == theirs["type"] == kind
        assert (ours["count"], ours["min"], ours["max"]) == (theirs["count"], theirs["min"], theirs["max"])
        # the padded file's blocks end elsewhere: its moments are summed in another order
        assert math.isclose(ours["mean"], theirs["mean"], rel_tol=1e-12)
        assert math.isclose(ours["std"], theirs["std"], rel_tol=1e-12)


def test_facts_built_before_the_last_batch_was_absorbed_carry_the_parse_they_assumed() -> None:
    plain = pl.Series("n", [str(n) for n in range(50)])
    padded = pl.Series("n", [f" {n} " for n in range(50, 100)])
    accumulator = ColumnAccumulator("n")
    accumulator.observe(plain, limit=10_000, budget=2**20)
    stale = accumulator.facts(None)  # built as the next batch's query is, before the last batch settles

    accumulator.observe(padded, limit=10_000, budget=2**20)  # the column learns that numbers come padded
    found = split_facts(first_row(run_steps(padded.to_frame(), [stale])))[""]
    accumulator.absorb(padded, found, limit=10_000, budget=2**20)

    assert accumulator.inferred_type() == "integer"
    assert accumulator.numeric is not None and accumulator.numeric.distribution.moments.count == 150


def test_a_temporal_query_strips_the_text_only_once_a_batch_came_padded() -> None:
    def batch(values: list[str]) -> pl.Series:
        return pl.Series("at", values)

    def query_and_absorb(accumulator: ColumnAccumulator, values: pl.Series) -> dict[str, object]:
        found = split_facts(first_row(run_steps(values.to_frame(), [accumulator.facts(None)])))[""]
        accumulator.absorb(values, found, limit=10_000, budget=2**20)
        return found

    accumulator = ColumnAccumulator("at")
    accumulator.observe(batch(["2024-01-02T03:04:05.5", "2024-01-03T00:00:00"]), limit=10_000, budget=2**20)
    assert accumulator.temporal is not None and accumulator.temporal.shape == "datetime"

    plain = query_and_absorb(accumulator, batch(["2024-02-01T00:00:00.25", "2024-02-02T10:00:00"]))
    assert plain["temporal\0bad"] == 0 and not accumulator.temporal.padded

    padded = query_and_absorb(accumulator, batch([" 2024-03-01T00:00:00 ", "2024-03-02T00:00:00.125"]))
    assert padded["temporal\0bad"] == 1 and accumulator.temporal.padded  # parsed in full, once

    stripped = query_and_absorb(accumulator, batch(["  2024-04-01T00:00:00", "2024-04-02T00:00:00.5 "]))
    assert stripped["temporal\0bad"] == 0

    assert accumulator.inferred_type() == "datetime"
    assert accumulator.temporal.distribution.moments.count == 8
    assert (accumulator.temporal.low, accumulator.temporal.high) == (
        parse_temporal(batch(["2024-01-02T03:04:05.5"]))[0][0],
        parse_temporal(batch(["2024-04-02T00:00:00.5"]))[0][0],
    )


def test_columns_profiled_while_the_next_batch_is_queried_give_the_sequential_result(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = []
    for n in range(6000):
        number = f" {n} " if 2000 <= n < 4000 else str(n)
        when = f"2024-01-{1 + n % 28:02d}" + ("" if n < 3000 else f"T{n % 24:02d}:00:00")
        rows.append(f"{number},{when},{'word' if n == 5000 else n / 4},{n % 7}\n")
    path = write("shifting.csv", "n,at,x,k\n" + "".join(rows))
    engine = ProfilingEngine(block_bytes=8192)
    sequential = engine.analyze_path(path)
    monkeypatch.setattr(partial_module, "_POOL_ROWS", 0)  # every batch's columns go to the pool

    pipelined = engine.analyze_path(path)

    for result in (sequential, pipelined):
        result.pop("duration_seconds")
        for profile in result["columns"]:  # quantile sketches compact at random, run by run
            profile.pop("quantiles")
            profile.pop("histogram")
    assert pipelined == sequential
    assert [c["type"] for c in pipelined["columns"]] == ["integer", "datetime", "string", "integer"]


def test_the_batch_query_runs_on_the_in_memory_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    # Polars 2 collects on its streaming engine unless told otherwise (see AS_WRITTEN).
    engines = []
    collect = pl.LazyFrame.collect

    def spy(self: pl.LazyFrame, *args: object, **kwargs: object) -> pl.DataFrame:
        engines.append(kwargs.get("engine"))
        return collect(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.LazyFrame, "collect", spy)
    frame = pl.DataFrame({"amount": ["1", "2.5", None]})
    accumulator = ColumnAccumulator("amount")

    facts = split_facts(first_row(run_steps(frame, [accumulator.facts(0)])))

    assert engines == ["in-memory"]
    assert facts["0"]["count"] == 2


@pytest.mark.parametrize("rows", [5, 500])  # sorted in Python, and by polars
def test_top_values_are_the_largest_counts_with_ties_in_code_point_order(rows: int) -> None:
    values = ["Z", "a", "é", "ß", "😀", "z", "Ä", "0"]
    counts = {f"{values[i % len(values)]}{i // len(values) or ''}": 1 + i % 3 for i in range(rows)}
    table = pl.DataFrame({"value": list(counts), "count": list(counts.values())}, schema=COUNTS)
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:7]

    assert top_rows(table, 7) == expected
    assert FrequentValues(dict(counts)).top(7) == [(value, count, count) for value, count in expected]
