"""Fan-out / fan-in: chunks start on records, and merged partials equal the single pass."""

from __future__ import annotations

import datetime as dt
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from adapters.analysis.profiling import PartialMismatch, ProfilingEngine

from .helpers import Write, column

SCHEMA = {"columns": [{"name": "amount", "type": "float", "min": 0}, {"name": "status", "allowed_values": ["a", "b"]}]}


def _generated_csv(tmp_path: Path, rows: int = 60_000) -> str:
    rng = np.random.default_rng(11)
    frame = pl.DataFrame(
        {
            "id": np.arange(rows),
            "amount": pl.Series(
                np.where(rng.random(rows) < 0.05, np.nan, rng.normal(20, 30, rows).round(2)), nan_to_null=True
            ),
            "status": rng.choice(["a", "b", "c"], rows, p=[0.6, 0.399, 0.001]),
            "day": (np.datetime64("2021-01-01") + rng.integers(0, 900, rows)).astype("datetime64[D]"),
            "note": rng.choice(["", "plain", 'say "hi", bye', "two\nlines", "x" * 300], rows),
        }
    )
    path = tmp_path / "generated.csv"
    frame.write_csv(path)
    return str(path)


def _fan_out(engine: ProfilingEngine, path: str, target_bytes: int, schema: Any = None) -> dict[str, Any]:
    chunks = engine.plan_chunks(path, target_bytes=target_bytes)
    # Partials and chunk specs travel as JSON between workers.
    partials = [
        json.loads(json.dumps(engine.profile_chunk(path, json.loads(json.dumps(c)), schema=schema))) for c in chunks
    ]
    return engine.merge(partials, file_bytes=Path(path).stat().st_size)


def test_chunks_start_right_after_a_newline_outside_quotes(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = _generated_csv(tmp_path)
    data = Path(path).read_bytes()

    chunks = engine.plan_chunks(path, target_bytes=100_000)

    assert len(chunks) > 10
    assert chunks[0]["start"] == data.index(b"\n") + 1
    assert chunks[-1]["end"] == len(data)
    for previous, chunk in pairwise(chunks):
        assert chunk["start"] == previous["end"]
        assert data[chunk["start"] - 1 : chunk["start"]] == b"\n"
        assert data[: chunk["start"]].count(b'"') % 2 == 0
        assert chunk["first_line"] == data[: chunk["start"]].count(b"\n") + 1


def test_the_merged_profile_equals_the_single_pass(tmp_path: Path) -> None:
    path = _generated_csv(tmp_path)
    engine = ProfilingEngine(block_bytes=64 * 1024, exact_distinct_limit=2_000)

    single = engine.analyze_path(path, schema=SCHEMA)
    merged = _fan_out(engine, path, 150_000, SCHEMA)

    assert merged["file"]["chunks"] > 5
    assert merged["summary"] == single["summary"]
    assert merged["data_quality"] == single["data_quality"]
    for one, many in zip(single["columns"], merged["columns"], strict=True):
        for exact in ("name", "type", "count", "nulls", "min", "max", "non_finite"):
            assert many[exact] == one[exact], (one["name"], exact)
        if isinstance(one["mean"], float):
            assert many["mean"] == pytest.approx(one["mean"], rel=1e-9)
        elif one["mean"] is not None:  # a temporal mean: ISO text of float microseconds
            gap = dt.datetime.fromisoformat(many["mean"]) - dt.datetime.fromisoformat(one["mean"])
            assert abs(gap) <= dt.timedelta(microseconds=2)
        if one["std"] is not None:
            assert many["std"] == pytest.approx(one["std"], rel=1e-9)
    assert merged["schema_check"] == single["schema_check"]


def test_merged_quantiles_and_distinct_counts_stay_within_the_sketch_bounds(tmp_path: Path) -> None:
    path = _generated_csv(tmp_path)
    engine = ProfilingEngine(block_bytes=64 * 1024, exact_distinct_limit=2_000)
    amounts = pl.read_csv(path)["amount"].drop_nulls().sort().to_numpy()

    merged = _fan_out(engine, path, 150_000)

    amount = column(merged, "amount")
    error = amount["quantile_rank_error"]
    for name, rank in {"p5": 0.05, "p50": 0.5, "p95": 0.95}.items():
        true_rank = np.searchsorted(amounts, amount["quantiles"][name], side="right") / len(amounts)
        assert abs(true_rank - rank) <= error, name
    distinct = column(merged, "id")["distinct"]
    assert distinct["exact"] is False
    assert distinct["lower_bound"] <= 60_000 <= distinct["upper_bound"]
    assert column(merged, "status")["distinct"] == column(ProfilingEngine().analyze_path(path), "status")["distinct"]


def test_violations_found_in_chunks_carry_absolute_line_numbers(tmp_path: Path) -> None:
    path = _generated_csv(tmp_path, rows=20_000)
    engine = ProfilingEngine(block_bytes=32 * 1024)

    single = engine.analyze_path(path, schema=SCHEMA)
    merged = _fan_out(engine, path, 40_000, SCHEMA)

    lines = [v["line"] for v in merged["schema_check"]["violations"]]
    assert lines == [v["line"] for v in single["schema_check"]["violations"]]
    text = Path(path).read_text().split("\n")
    header = text[0].split(",")
    for violation in merged["schema_check"]["violations"][:50]:
        assert text[violation["line"] - 1].split(",")[header.index(violation["column"])] == violation["value"]


def test_a_parquet_file_is_split_by_row_groups_and_merges_back(tmp_path: Path) -> None:
    path = tmp_path / "groups.parquet"
    pl.DataFrame({"n": np.arange(10_000), "g": np.arange(10_000) % 7}).write_parquet(path, row_group_size=1_000)
    engine = ProfilingEngine()

    chunks = engine.plan_chunks(str(path), target_bytes=1)
    merged = _fan_out(engine, str(path), 1)

    assert [(c["row_group_start"], c["row_group_end"], c["first_line"]) for c in chunks[:2]] == [
        (0, 1, 1),
        (1, 2, 1001),
    ]
    assert merged["summary"]["rows"] == 10_000
    assert column(merged, "n")["mean"] == pytest.approx(4999.5)
    assert column(merged, "g")["distinct"]["value"] == 7


def test_json_lines_chunks_merge_columns_seen_only_in_some_chunks(engine: ProfilingEngine, write: Write) -> None:
    path = write("events.jsonl", '{"a": 1}\n' * 2_000 + '{"a": 2, "late": "x"}\n')

    merged = _fan_out(engine, path, 4_000)

    assert merged["file"]["chunks"] > 3
    assert column(merged, "late")["nulls"] == 2_000
    assert merged["summary"] == {"rows": 2_001, "columns": 2}


def test_text_in_utf16_is_one_chunk_because_its_bytes_cannot_be_split_safely(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("wide.csv", ("\ufeffa,b\n" + "1,2\n" * 5_000).encode("utf-16-le"))

    chunks = engine.plan_chunks(path, target_bytes=1_000)

    assert len(chunks) == 1


def test_merging_refuses_a_missing_or_repeated_chunk(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = _generated_csv(tmp_path, rows=5_000)
    chunks = engine.plan_chunks(path, target_bytes=50_000)
    partials = [engine.profile_chunk(path, chunk) for chunk in chunks]
    size = Path(path).stat().st_size

    with pytest.raises(PartialMismatch, match="exactly once"):
        engine.merge(partials[:-1], file_bytes=size)
    with pytest.raises(PartialMismatch, match="exactly once"):
        engine.merge([*partials, partials[0]], file_bytes=size)


def test_merging_refuses_partials_computed_with_other_null_tokens(tmp_path: Path) -> None:
    path = _generated_csv(tmp_path, rows=1_000)
    chunk = ProfilingEngine().plan_chunks(path, target_bytes=10**9)[0]
    partial = ProfilingEngine(null_values=("NA",)).profile_chunk(path, chunk)

    with pytest.raises(PartialMismatch, match="null_values"):
        ProfilingEngine().merge([partial], file_bytes=Path(path).stat().st_size)


def test_a_chunk_of_a_file_that_changed_since_planning_is_refused(engine: ProfilingEngine, write: Write) -> None:
    path = write("moving.csv", "a\n1\n")
    chunk = engine.plan_chunks(path, target_bytes=1_000)[0]
    Path(path).write_text("a\n1\n2\n")

    with pytest.raises(ValueError, match="changed since its chunks were planned"):
        engine.profile_chunk(path, chunk)


def test_merging_refuses_a_malformed_partial(engine: ProfilingEngine, write: Write) -> None:
    path = write("small.csv", "a\n1\n")
    partial = engine.profile_chunk(path, engine.plan_chunks(path, target_bytes=1_000)[0])
    del partial["columns"][0]["tally"]

    with pytest.raises(PartialMismatch, match="malformed"):
        engine.merge([partial], file_bytes=4)
