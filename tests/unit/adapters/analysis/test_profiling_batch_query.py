"""The per-batch query and its shortcuts give the statistics the per-value definitions give."""

from __future__ import annotations

import polars as pl

from adapters.analysis.profiling import ProfilingEngine
from adapters.analysis.profiling.stats.frequent import CAPACITY, FrequentValues
from adapters.analysis.profiling.stats.parsing import parse_temporal

from .helpers import Write, column


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
