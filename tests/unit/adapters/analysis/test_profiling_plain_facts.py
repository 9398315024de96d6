"""A small batch of plainly spelt values is profiled without a polars query (plain_facts.py),
and its result is the query's, value for value."""

from __future__ import annotations

import math
import random
import struct
from typing import Any

import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine, partial
from adapters.analysis.profiling.stats import column
from adapters.analysis.profiling.stats.parsing import float_of
from adapters.analysis.profiling.stats.plain_facts import _PLAIN_FLOAT, _PLAIN_INTEGER, _no_number

from .helpers import Write

SMALL = "id,amount,label,flag\n1,10.5,a,true\n2,20.25,b,FALSE\n3,30,c,True\n"
# What a tiny file's cells may hold, by kind: plain numbers, numbers only the query reads, values
# at the edges of every candidate, nulls, long and non-ASCII text.
KINDS = {
    "boolean": ["true", "False", "TRUE", "false", "True", "FALSE", "tRuE", " true", ""],
    "integer": ["0", "7", "-3", "+5", "007", "-0", "9223372036854775807", "-9223372036854775808", ""],
    "float": ["10.5", "5.", ".25", "-0.0", "1e5", "1E-3", "+.5e+2", "1e-400", "4.9e-324", "0.1", "3", ""],
    "odd number": [
        "9223372036854775808",
        "1e999",
        "-1e999",
        "123456789012345678901234567890",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        " 5",
        "6 ",
        "1_000",
        "1,5",
    ],
    "temporal": ["2024-01-02", "2024-1-2", "2024-01-02T09:30:00", "2024-01-02 10:00", "2024-01-02T11:00:00+02:00"],
    "text": ["A12", "x", "e", "E", "yes", "NA", "null", "é", "日本", "a" * 300, "ü" * 100, '"quoted, with comma"', ""],
}
CELLS = [cell for cells in KINDS.values() for cell in cells]


def _profile(engine: ProfilingEngine, path: str, monkeypatch: pytest.MonkeyPatch, *, plain: bool) -> dict[str, Any]:
    with monkeypatch.context() as patched:
        if not plain:
            patched.setattr(column, "PLAIN_ROWS", 0)
        result = engine.analyze_path(path)
    return {**result, "duration_seconds": 0}


def test_a_tiny_file_of_plain_values_is_profiled_without_a_query(
    engine: ProfilingEngine, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries: list[object] = []
    monkeypatch.setattr(partial, "run_steps", lambda *args: queries.append(args))

    result = engine.analyze_path(write("small.csv", SMALL))

    assert queries == []
    assert [c["type"] for c in result["columns"]] == ["integer", "float", "string", "boolean"]


def test_a_value_only_the_query_can_read_sends_its_column_to_the_query(
    engine: ProfilingEngine, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries: list[int] = []
    original = partial.run_steps
    monkeypatch.setattr(partial, "run_steps", lambda frame, steps: queries.append(len(steps)) or original(frame, steps))

    result = engine.analyze_path(write("nan.csv", "a,b\n1,2\nnan,3\n"))

    assert queries == [1]  # a only: b is plain
    assert [c["type"] for c in result["columns"]] == ["float", "integer"]


@pytest.mark.parametrize("seed", range(60))
def test_tiny_files_give_the_same_result_with_and_without_plain_facts(
    seed: int, engine: ProfilingEngine, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    chance = random.Random(seed)
    width, height = chance.randint(1, 6), chance.randint(1, 12)
    # Each column draws mostly from one kind, so that its candidates often survive the whole file.
    pools = [KINDS[chance.choice(list(KINDS))] * 8 + chance.sample(CELLS, chance.randint(0, 2)) for _ in range(width)]
    rows = [",".join(f"c{i}" for i in range(width))]
    rows += [",".join(_cell(chance.choice(pool)) for pool in pools) for _ in range(height)]
    path = write("tiny.csv", "\n".join(rows) + "\n")

    assert _profile(engine, path, monkeypatch, plain=True) == _profile(engine, path, monkeypatch, plain=False)


def _cell(text: str) -> str:
    return f'"{text}"' if " " in text and not text.startswith('"') else text


def test_a_plain_number_reads_as_polars_reads_it_and_no_other_text_is_taken_for_one() -> None:
    chance = random.Random(9)
    alphabet = "0123456789+-.eEinfatyNIAFTY _x,é\t"
    texts = {"".join(chance.choices(alphabet, k=chance.randint(1, 7))) for _ in range(30_000)}
    texts |= {f"{chance.choice('+-')}{chance.randint(0, 10**20)}" for _ in range(2_000)}
    texts |= {repr(chance.uniform(-1e300, 1e300)) for _ in range(2_000)}
    values = pl.Series("text", sorted(texts))
    floats = values.cast(pl.Float64, strict=False).to_list()
    integers = values.cast(pl.Int64, strict=False).to_list()
    stripped = values.to_frame().select(float_of(pl.col("text"))).to_series().to_list()
    plain = 0
    for text, number, integer, padded in zip(values.to_list(), floats, integers, stripped, strict=True):
        if _PLAIN_FLOAT.fullmatch(text):
            plain += 1
            assert number is not None and _bits(float(text)) == _bits(number), text
            in_range = _PLAIN_INTEGER.fullmatch(text) and -(2**63) <= int(text) < 2**63
            assert integer == (int(text) if in_range else None), text
        else:
            assert integer is None, text
        if _no_number(text):
            assert number is None and padded is None, text
    assert plain > 3_000  # the sample holds many plain numbers


def _bits(value: float) -> bytes:
    return struct.pack("<d", value) if not math.isnan(value) else b"nan"
