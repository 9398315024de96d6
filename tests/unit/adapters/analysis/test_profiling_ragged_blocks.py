"""Ragged rows in blocks polars parses (more than a few hundred records): polars parses strictly
first and the fields are counted only when some record may be ragged. Whatever the path, the
ragged lines and the values are those a CSV reader finds."""

from __future__ import annotations

import csv
import io
import random

import pytest

from adapters.analysis.profiling import ProfilingEngine
from adapters.analysis.profiling.source import csv_reader

from .helpers import Write, column

HEADER = ["a", "b", "c"]
ROWS = 1_500  # past the small-block parser's 256 records: polars parses the block


def _file(rng: random.Random, *, short: float, long: float) -> tuple[str, list[int], dict[str, int]]:
    """A CSV of ROWS records (some short, some long, some with an empty or quoted empty last
    field, some quoted over two lines, a blank line now and then), the lines of its ragged
    records and each column's count of non-empty values, as the csv module reads them."""
    buffer = io.StringIO()
    buffer.write(",".join(HEADER) + "\n")
    for n in range(ROWS):
        roll = rng.random()
        if roll < 0.02:
            buffer.write("\n")
            continue
        fields = [str(n), rng.choice(["x", "two\nlines", 'a "q"', "p,q"]), rng.choice(["z", "", '""'])]
        if roll < 0.02 + short:
            fields = fields[: rng.choice([1, 2])]
        elif roll < 0.02 + short + long:
            fields.append("extra")
        buffer.write(",".join(_quoted(field) for field in fields) + "\n")
    text = buffer.getvalue()
    ragged, filled = [], dict.fromkeys(HEADER, 0)
    reader = csv.reader(io.StringIO(text))
    next(reader)
    for record in reader:
        if not record:
            continue
        if len(record) != len(HEADER):
            ragged.append(reader.line_num - record_lines(record) + 1)
        for name, value in zip(HEADER, record, strict=False):
            filled[name] += value != ""
    return text, ragged, filled


def _quoted(field: str) -> str:
    if field == '""' or not any(char in field for char in ',"\n'):
        return field
    return '"' + field.replace('"', '""') + '"'


def record_lines(record: list[str]) -> int:
    return 1 + sum(field.count("\n") for field in record)


@pytest.mark.parametrize(
    ("short", "long"),
    [(0.0, 0.0), (0.05, 0.0), (0.0, 0.05), (0.05, 0.05), (0.0005, 0.0)],
    ids=["none ragged", "short ones", "long ones", "both", "one short"],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_ragged_lines_and_values_of_a_polars_block_are_a_csv_readers(
    engine: ProfilingEngine, write: Write, short: float, long: float, seed: int
) -> None:
    text, ragged, filled = _file(random.Random(seed), short=short, long=long)

    result = engine.analyze_path(write("ragged.csv", text))

    quality = result["data_quality"]
    assert quality["ragged_rows"] == len(ragged)
    assert quality["ragged_lines"] == ragged[:100]
    for name in HEADER:
        assert column(result, name)["count"] == filled[name]


def test_a_file_whose_last_field_is_often_empty_has_no_ragged_row(engine: ProfilingEngine, write: Write) -> None:
    lines = ["a,b,c"] + [f"{n},x," if n % 3 else f'{n},"y",""' for n in range(ROWS)]

    result = engine.analyze_path(write("empty-last.csv", "\n".join(lines) + "\n"))

    assert result["data_quality"]["ragged_rows"] == 0
    assert column(result, "c")["count"] == 0
    assert column(result, "c")["nulls"] == ROWS


@pytest.mark.parametrize(("short", "counted"), [(0.0, False), (0.05, True)], ids=["regular", "ragged"])
def test_fields_are_counted_only_in_a_block_that_may_hold_a_ragged_record(
    engine: ProfilingEngine, write: Write, monkeypatch: pytest.MonkeyPatch, short: float, counted: bool
) -> None:
    """Counting is the record index's largest cost: a regular block polars parses skips it."""
    calls = []
    count = csv_reader.field_counts
    monkeypatch.setattr(csv_reader, "field_counts", lambda *args: calls.append(1) or count(*args))
    text, _, _ = _file(random.Random(3), short=short, long=0.0)

    engine.analyze_path(write("file.csv", text.replace(',""\n', ",z\n").replace(",\n", ",z\n")))

    assert bool(calls) is counted


def test_an_extra_empty_field_ending_a_file_without_a_final_newline_is_ragged(
    engine: ProfilingEngine, write: Write
) -> None:
    """polars' strict parse lets this one record pass: the block is counted."""
    lines = ["a,b,c"] + [f"{n},x,z" for n in range(ROWS)] + ["last,x,z,"]

    result = engine.analyze_path(write("trailing.csv", "\n".join(lines)))

    assert result["data_quality"]["ragged_rows"] == 1
    assert result["data_quality"]["ragged_lines"] == [ROWS + 2]
