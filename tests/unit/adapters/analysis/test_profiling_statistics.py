"""Per-column statistics: inferred types, exact moments, sketched quantiles, distinct and top values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine

from .helpers import Write, column


def _numbers_file(tmp_path: Path, n: int) -> tuple[str, np.ndarray]:
    values = np.random.default_rng(7).normal(50.0, 12.5, n).round(3)
    path = tmp_path / "numbers.csv"
    pl.DataFrame({"x": values, "id": np.arange(n)}).write_csv(path)
    return str(path), values


def test_each_column_gets_the_narrowest_type_all_its_values_parse_as(engine: ProfilingEngine, write: Write) -> None:
    path = write(
        "types.csv",
        "i,f,b,d,t,s,e\n"
        "1,1.5,true,2024-01-01,2024-01-01T10:00:00,x,\n"
        "-2,2,FALSE,2024-02-29,2024-01-02 11:30,y,\n"
        " 3 ,1e3,True,2024-03-01,2024-01-03T00:00:00Z,3,\n",
    )

    result = engine.analyze_path(path)

    types = {c["name"]: c["type"] for c in result["columns"]}
    assert types == {
        "i": "integer",
        "f": "float",
        "b": "boolean",
        "d": "date",
        "t": "datetime",
        "s": "string",
        "e": "empty",
    }


def test_counts_extremes_mean_and_std_are_exact(engine: ProfilingEngine, tmp_path: Path) -> None:
    path, values = _numbers_file(tmp_path, 20_000)

    x = column(engine.analyze_path(path), "x")

    assert x["count"] == len(values)
    assert x["nulls"] == 0
    assert x["min"] == values.min()
    assert x["max"] == values.max()
    assert x["mean"] == pytest.approx(values.mean(), rel=1e-12)
    assert x["std"] == pytest.approx(values.std(ddof=1), rel=1e-9)


def test_quantiles_are_within_the_sketchs_rank_error(engine: ProfilingEngine, tmp_path: Path) -> None:
    path, values = _numbers_file(tmp_path, 50_000)
    ordered = np.sort(values)

    x = column(engine.analyze_path(path), "x")

    error = x["quantile_rank_error"]
    assert 0 < error < 0.02
    for name, rank in {"p1": 0.01, "p25": 0.25, "p50": 0.5, "p99": 0.99}.items():
        true_rank = np.searchsorted(ordered, x["quantiles"][name], side="right") / len(ordered)
        assert abs(true_rank - rank) <= error, name


def test_small_columns_get_exact_quantiles_and_histogram(engine: ProfilingEngine, write: Write) -> None:
    path = write("small.csv", "n\n" + "\n".join(str(v) for v in [1, 2, 2, 3, 3, 3, 10]) + "\n")

    n = column(engine.analyze_path(path), "n")

    assert n["quantile_rank_error"] is None
    assert n["quantiles"]["p50"] == 3
    assert n["histogram"]["exact"] is True
    assert sum(n["histogram"]["counts"]) == 7
    assert n["histogram"]["edges"][0] == 1
    assert n["histogram"]["counts"][:3] == [1, 2, 3]


def test_a_large_histogram_spans_min_to_max_and_counts_about_every_value(
    engine: ProfilingEngine, tmp_path: Path
) -> None:
    path, values = _numbers_file(tmp_path, 50_000)

    histogram = column(engine.analyze_path(path), "x")["histogram"]

    assert histogram["edges"][0] == values.min()
    assert histogram["edges"][-1] == values.max()
    assert len(histogram["counts"]) == 20
    assert abs(sum(histogram["counts"]) - len(values)) <= 20  # one rounding per bin


def test_distinct_is_exact_for_a_small_column_and_bounded_for_a_large_one(
    engine: ProfilingEngine, tmp_path: Path
) -> None:
    path = tmp_path / "ids.csv"
    pl.DataFrame({"group": np.arange(30_000) % 997, "id": np.arange(30_000)}).write_csv(path)

    result = engine.analyze_path(str(path))

    small, large = column(result, "group")["distinct"], column(result, "id")["distinct"]
    assert small == {"value": 997, "exact": True, "lower_bound": 997, "upper_bound": 997, "confidence": None}
    assert large["exact"] is False
    assert large["lower_bound"] <= 30_000 <= large["upper_bound"]
    assert abs(large["value"] - 30_000) / 30_000 < 0.03
    assert large["confidence"] == pytest.approx(0.954)


def test_top_values_are_exact_counts_while_the_column_is_small(engine: ProfilingEngine, write: Write) -> None:
    path = write("colours.csv", "colour\n" + "red\n" * 5 + "blue\n" * 3 + "green\n")

    colour = column(engine.analyze_path(path), "colour")

    assert colour["top_values_exact"] is True
    assert [(t["value"], t["count"]) for t in colour["top_values"]] == [("red", 5), ("blue", 3), ("green", 1)]


def test_top_values_of_a_large_column_come_with_bounds_that_hold_the_truth(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([np.full(5_000, "hot"), rng.integers(0, 1_000_000, 40_000).astype(str)])
    path = tmp_path / "skewed.csv"
    pl.DataFrame({"v": rng.permutation(values)}).write_csv(path)

    v = column(ProfilingEngine(exact_distinct_limit=1_000).analyze_path(str(path)), "v")

    assert v["top_values_exact"] is False
    top = v["top_values"][0]
    assert top["value"] == "hot"
    assert top["lower_bound"] <= 5_000 <= top["upper_bound"]


def test_dates_are_reported_as_iso_text_and_their_spread_in_seconds(engine: ProfilingEngine, write: Write) -> None:
    path = write("days.csv", "day\n2024-01-01\n2024-01-03\n2024-01-05\n")

    day = column(engine.analyze_path(path), "day")

    assert (day["min"], day["max"]) == ("2024-01-01", "2024-01-05")
    assert day["mean"] == "2024-01-03T00:00:00"
    assert day["std"] == pytest.approx(2 * 86_400)
    assert day["std_unit"] == "seconds"
    assert day["quantiles"]["p50"] == "2024-01-03"


def test_nan_and_infinities_keep_a_float_column_but_stay_out_of_its_statistics(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("nan.csv", "x\n1.5\nNaN\ninf\n2.5\n")

    x = column(engine.analyze_path(path), "x")

    assert x["type"] == "float"
    assert x["non_finite"] == 2
    assert (x["min"], x["max"], x["mean"]) == (1.5, 2.5, 2.0)


def test_a_boolean_column_reports_the_share_of_true_values_as_its_mean(engine: ProfilingEngine, write: Write) -> None:
    path = write("flags.csv", "ok\ntrue\nfalse\ntrue\ntrue\n")

    ok = column(engine.analyze_path(path), "ok")

    assert ok["type"] == "boolean"
    assert ok["mean"] == 0.75
    assert (ok["min"], ok["max"]) == (False, True)


def test_one_value_that_does_not_parse_makes_the_column_text(engine: ProfilingEngine, write: Write) -> None:
    path = write("mixed.csv", "n\n" + "1\n" * 100 + "n/a\n")

    n = column(engine.analyze_path(path), "n")

    assert n["type"] == "string"
    assert n["mean"] is None
    assert (n["min"], n["max"]) == ("1", "n/a")


def test_the_file_facts_give_rows_columns_bytes_and_duration(engine: ProfilingEngine, write: Write) -> None:
    path = write("facts.csv", "a,b\n1,2\n3,4\n")

    result = engine.analyze_path(path)

    assert result["summary"] == {"rows": 2, "columns": 2}
    assert result["file"]["bytes"] == Path(path).stat().st_size
    assert result["duration_seconds"] > 0


def test_one_column_thread_gives_the_same_exact_statistics_as_two(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    path = tmp_path / "threads.csv"
    size = 120_000
    pl.DataFrame({"id": np.arange(size), "v": rng.normal(size=size), "k": rng.integers(0, 50, size)}).write_csv(path)
    exact = ("type", "count", "nulls", "distinct", "min", "max", "mean", "std")

    one = ProfilingEngine(column_threads=1, block_bytes=256 * 1024).analyze_path(str(path))
    two = ProfilingEngine(column_threads=2, block_bytes=256 * 1024).analyze_path(str(path))

    assert [{k: c[k] for k in exact} for c in one["columns"]] == [{k: c[k] for k in exact} for c in two["columns"]]
