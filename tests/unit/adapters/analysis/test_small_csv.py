"""A small CSV block parsed in Python gives exactly what polars' reader gives, its blank
records dropped and its nulls normalised (see small_csv.py): checked on thousands of
generated blocks with quotes, doubled quotes, delimiters and line breaks inside fields,
carriage returns, blank and ragged records, null tokens and four delimiters."""

from __future__ import annotations

import random

import polars as pl
import pytest

from adapters.analysis.profiling.source.csv_reader import _parse_kept
from adapters.analysis.profiling.source.records import field_counts, index_records
from adapters.analysis.profiling.source.small_csv import SMALL_RECORDS, parse_small
from adapters.analysis.profiling.source.source_info import SourceInfo
from adapters.analysis.profiling.source.text_frame import normalise_nulls
from domain.errors import InvalidReportFile

ALPHABET = ["a", "b", "7", " ", "é", "中", "\r", "\n", ",", ";", "\t", "|", '"', "'", "\x00", "NA"]


def a_field(rng: random.Random, delimiter: str, quote: str | None) -> str:
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.choice([0, 0, 1, 2, 3, 6])))
    special = {delimiter, "\n", "\r"} | ({quote} if quote else set())
    if quote is None:
        return "".join(char for char in text if char not in special)
    if any(char in special for char in text) or rng.random() < 0.2:
        return quote + text.replace(quote, quote * 2) + quote
    return text


def a_block(rng: random.Random, width: int, delimiter: str, quote: str | None) -> str:
    records = []
    for _ in range(rng.randint(1, 8)):
        if rng.random() < 0.1:
            records.append(rng.choice(["", "\r"]))  # a blank line
            continue
        count = max(1, width + rng.choice([0, 0, 0, -1, 1, 2]))  # ragged now and then
        records.append(delimiter.join(a_field(rng, delimiter, quote) for _ in range(count)))
    ending = rng.choice(["\n", "\r\n"])
    return ending.join(records) + rng.choice([ending, ending, ""])


def polars_rows(
    data: bytes, names: list[str], delimiter: str, quote: str | None, nulls: tuple[str, ...]
) -> list[tuple]:
    """What polars' parse becomes before profiling: blank records dropped, nulls normalised.
    When the parse finds the block regular, no record in it is ragged."""
    index = index_records(data, first_line=1, delimiter=delimiter, quote=quote)
    source = SourceInfo.model_construct(columns=names, delimiter=delimiter, quote=quote)
    frame, regular = _parse_kept(data, index, source)
    if regular:
        assert (field_counts(data, index, delimiter)[~index.blank] == len(names)).all(), repr(data)
    return normalise_nulls(frame, nulls).rows()


@pytest.mark.parametrize("seed", range(4))
def test_generated_blocks_parse_as_polars_parses_them(seed: int) -> None:
    rng = random.Random(seed)
    compared = fallbacks = 0
    for _ in range(1000):
        width = rng.randint(1, 4)
        names = [f"n{position}" for position in range(width)]
        delimiter = rng.choice([",", ";", "\t", "|"])
        quote = rng.choice(['"', "'", None])
        nulls = rng.choice([(), ("NA",), ("NA", " ")])
        data = a_block(rng, width, delimiter, quote).encode()
        try:
            index = index_records(data, first_line=1, delimiter=delimiter, quote=quote)
        except InvalidReportFile:
            continue  # refused before any parse, whichever parser would have run
        small = parse_small(data, index, names, delimiter, quote, nulls)
        if small is None:
            fallbacks += 1
            continue
        assert small.columns == names and small.dtypes == [pl.String] * width
        assert small.rows() == polars_rows(data, names, delimiter, quote, nulls), repr(data)
        compared += 1
    assert compared > 800 and fallbacks < 20


def test_text_between_a_closing_quote_and_the_delimiter_is_left_to_polars() -> None:
    data = b'"a"\rb,c\n'
    index = index_records(data, first_line=1, delimiter=",", quote='"')

    assert parse_small(data, index, ["x", "y"], ",", '"') is None


def test_a_block_of_more_records_than_small_is_left_to_polars() -> None:
    def parsed(records: int) -> pl.DataFrame | None:
        data = b"1,2\n" * records
        return parse_small(data, index_records(data, first_line=1, delimiter=",", quote='"'), ["x", "y"], ",", '"')

    assert parsed(SMALL_RECORDS + 1) is None
    small = parsed(SMALL_RECORDS)
    assert small is not None and small.height == SMALL_RECORDS
