"""Blocks are cut only between records, and the record index knows every record's line."""

from __future__ import annotations

import csv
import io
import random

import pytest

from adapters.analysis.profiling.settings import EngineSettings
from adapters.analysis.profiling.source.blocks import record_blocks
from adapters.analysis.profiling.source.byte_count import count_byte
from adapters.analysis.profiling.source.records import field_counts, index_records
from domain.errors import InvalidReportFile


def _quoted_csv(rows: int) -> bytes:
    rng = random.Random(5)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for n in range(rows):
        writer.writerow([n, rng.choice(["a", 'say "x"', "multi\nline\n", "a,b", ""])])
    return buffer.getvalue().encode()


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("block_bytes", [7, 64, 1000])
def test_blocks_hold_whole_records_whatever_the_block_size(block_bytes: int) -> None:
    data = _quoted_csv(500)
    limits = EngineSettings(block_bytes=block_bytes, max_record_bytes=10_000)

    blocks = list(record_blocks(_pieces(data, block_bytes), quote=b'"', limits=limits, first_line=1))

    assert b"".join(block.data for block in blocks) == data
    rows = [row for block in blocks for row in csv.reader(io.StringIO(block.data.decode()))]
    assert [int(row[0]) for row in rows] == list(range(500))
    assert all(block.first_line == 1 + data[: block.offset].count(b"\n") for block in blocks)


def test_the_record_index_gives_start_lines_field_counts_and_blank_lines() -> None:
    block = b'1,"two\nlines"\n\n2,x,extra\r\n\r\n3\n'

    index = index_records(block, first_line=10, delimiter=",", quote='"')

    assert index.lines.tolist() == [10, 12, 13, 14, 15]
    assert field_counts(block, index, ",").tolist() == [2, 1, 3, 1, 1]
    assert index.blank.tolist() == [False, True, False, True, False]


@pytest.mark.parametrize("final_newline", [True, False])
def test_the_start_line_of_every_record_is_that_of_a_csv_reader(final_newline: bool) -> None:
    data = _quoted_csv(3000) + b'"ends\nquoted",1' + (b"\n" if final_newline else b"")

    index = index_records(data, first_line=7, delimiter=",", quote='"')

    reader = csv.reader(io.StringIO(data.decode()))
    expected = []
    while True:
        line = 7 + reader.line_num  # the line after the last one the reader consumed
        if next(reader, None) is None:
            break
        expected.append(line)
    assert index.lines.tolist() == expected


def test_field_counts_of_quoted_records_are_those_of_a_csv_reader() -> None:
    data = _quoted_csv(2000) + b'5,"a,b","c,,d",e\n"",","\n'

    index = index_records(data, first_line=1, delimiter=",", quote='"')

    assert field_counts(data, index, ",").tolist() == [len(row) for row in csv.reader(io.StringIO(data.decode()))]


def test_a_byte_is_counted_as_bytes_count_counts_it() -> None:
    data = _quoted_csv(300)

    for start, end in ((0, None), (17, None), (5, 900), (900, 5), (len(data), None)):
        assert count_byte(data, b'"', start, end) == data.count(b'"', start, end)
    assert count_byte(b"", b"\n") == 0


def test_an_escaped_quote_at_the_start_of_a_quoted_field_is_accepted() -> None:
    block = b'1,"""quoted"" start"\n2,""\n'

    index = index_records(block, first_line=1, delimiter=",", quote='"')

    assert field_counts(block, index, ",").tolist() == [2, 2]


def test_text_after_a_closing_quote_is_refused_with_its_line() -> None:
    block = b'1,ok\n2,"closed"then text\n'

    with pytest.raises(InvalidReportFile, match=r"^line 6: a quote character inside an unquoted field"):
        index_records(block, first_line=5, delimiter=",", quote='"')
