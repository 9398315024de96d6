"""Hostile and broken input gets a precise InvalidReportFile message, or a documented outcome."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine
from domain.errors import InvalidReportFile, PermanentError

from .helpers import Write, column

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _refusal(engine: ProfilingEngine, path: str) -> str:
    with pytest.raises(InvalidReportFile) as raised:
        engine.analyze_path(path)
    assert isinstance(raised.value, PermanentError)
    return str(raised.value)


def _xlsx_archive(path: Path, sheet: bytes, *, level: int = 9) -> str:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return str(path)


def test_an_empty_file_is_refused(engine: ProfilingEngine, write: Write) -> None:
    path = write("empty.csv", b"")

    assert _refusal(engine, path) == "the file is empty (0 bytes)"


def test_a_file_of_blank_space_has_no_header(engine: ProfilingEngine, write: Write) -> None:
    path = write("blank.csv", "\n \n\t\n")

    assert _refusal(engine, path) == "the file holds only blank space, no header row"


def test_binary_garbage_with_nul_bytes_is_refused_as_binary(engine: ProfilingEngine, write: Write) -> None:
    path = write("garbage.csv", bytes(range(256)) * 64)

    assert "the file is binary (it contains NUL bytes)" in _refusal(engine, path)


def test_random_bytes_are_refused_as_binary_or_unknown_text(engine: ProfilingEngine, write: Write) -> None:
    noise = bytes(b for b in os.urandom(20_000) if b)
    path = write("noise.csv", noise)

    assert "binary" in _refusal(engine, path)


def test_a_png_named_csv_is_refused_as_an_image(engine: ProfilingEngine, write: Write) -> None:
    path = write("photo.csv", PNG)

    message = _refusal(engine, path)

    assert message == "the file is a PNG image, not a report (CSV, TSV, JSON Lines, Parquet or XLSX)"


def test_a_legacy_xls_workbook_is_refused_with_what_to_do(engine: ProfilingEngine, write: Write) -> None:
    path = write("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    assert "legacy Excel .xls (OLE2) file; save it as .xlsx" in _refusal(engine, path)


def test_a_word_document_is_not_taken_for_a_workbook(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")

    assert _refusal(engine, str(path)) == "the file is a Word document (.docx), not an XLSX workbook"


def test_a_json_array_is_refused_in_favour_of_json_lines(engine: ProfilingEngine, write: Write) -> None:
    path = write("data.json", '[{"a": 1}, {"a": 2}]')

    assert "JSON array; send JSON Lines instead" in _refusal(engine, path)


def test_a_json_lines_file_names_its_first_broken_line(engine: ProfilingEngine, write: Write) -> None:
    path = write("events.jsonl", '{"a": 1}\n{"a": 2}\n{"a": 3,\n')

    assert _refusal(engine, path).startswith("line 3 is not valid JSON")


def test_ragged_rows_are_counted_with_their_lines_instead_of_failing_the_file(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")

    result = engine.analyze_path(path)

    assert result["summary"]["rows"] == 4
    assert result["data_quality"]["ragged_rows"] == 2
    assert result["data_quality"]["ragged_lines"] == [3, 4]
    assert column(result, "c")["nulls"] == 1
    assert column(result, "c")["max"] == 12


@pytest.mark.parametrize("rows", ["1,2,3,4\n5,6,7\n", "5,6,7\n1,2,3,4\n"], ids=["first", "last"])
def test_a_row_with_extra_fields_is_ragged_wherever_it_is(engine: ProfilingEngine, write: Write, rows: str) -> None:
    # polars refuses a block whose first record has more fields than the header, unless told
    # to drop them: that row would have failed the whole file with polars' own words
    path = write("extra.csv", "a,b,c\n" + rows)

    result = engine.analyze_path(path)

    assert result["summary"]["rows"] == 2
    assert result["data_quality"]["ragged_rows"] == 1
    assert result["data_quality"]["ragged_lines"] == [2 if rows.startswith("1") else 3]
    assert (column(result, "c")["min"], column(result, "c")["max"]) == (3, 7)  # the extra field is dropped


def test_an_unbalanced_quote_is_refused_with_the_line_where_it_opens(engine: ProfilingEngine, write: Write) -> None:
    path = write("unbalanced.csv", 'a,b\n1,ok\n2,"never closed\n3,x\n4,y\n')

    assert _refusal(engine, path) == "line 3: a quoted field opens here and never closes (unbalanced quotes)"


def test_a_stray_quote_inside_an_unquoted_field_is_refused_with_its_line(engine: ProfilingEngine, write: Write) -> None:
    path = write("stray.csv", 'a,b\n1,"fine"\n2,12" pipe\n3,4" tube\n')

    assert _refusal(engine, path).startswith("line 3: a quote character inside an unquoted field")


def test_a_ten_megabyte_field_is_profiled_without_keeping_it_whole(engine: ProfilingEngine, write: Write) -> None:
    huge = "x" * (10 * 1024 * 1024)
    path = write("huge.csv", f"id,blob\n1,{huge}\n2,small\n")

    result = engine.analyze_path(path)

    blob = column(result, "blob")
    assert result["summary"]["rows"] == 2
    assert blob["distinct"]["value"] == 2
    assert max(len(top["value"]) for top in blob["top_values"]) < 300
    assert "[10,485,760 characters, #" in blob["top_values"][0]["value"] + blob["top_values"][1]["value"]


def test_a_record_beyond_the_record_size_limit_is_refused(write: Write) -> None:
    path = write("huge.csv", "id,blob\n1," + "x" * 5_000_000 + "\n")

    message = _refusal(ProfilingEngine(block_bytes=1024 * 1024, max_record_bytes=2 * 1024 * 1024), path)

    assert message == "line 2: a record longer than 2 MiB starts here (most likely a quote that is never closed)"


def test_ten_thousand_columns_are_refused_with_the_limit(engine: ProfilingEngine, write: Write) -> None:
    header = ",".join(f"c{i}" for i in range(10_000))
    path = write("wide.csv", header + "\n" + ",".join("1" for _ in range(10_000)) + "\n")

    assert _refusal(engine, path) == "the file has 10,000 columns; at most 1,000 are supported"


def test_mixed_encodings_are_refused_at_the_first_line_that_breaks_utf8(engine: ProfilingEngine, write: Write) -> None:
    content = "name\n" + "José\n" * 30_000 + "Zoë\n"
    path = write("mixed.csv", content.encode("utf-8")[:-4] + "Zoë\n".encode("cp1252"))

    message = _refusal(engine, path)

    assert message == (
        "line 30002: byte 0xeb is not valid utf-8 text; the file may mix text encodings (save it as UTF-8)"
    )


def test_a_zip_bomb_workbook_is_refused_from_its_declared_sizes_before_it_is_opened(tmp_path: Path) -> None:
    path = _xlsx_archive(tmp_path / "bomb.xlsx", b"0" * (8 * 1024 * 1024))
    engine = ProfilingEngine(max_xlsx_uncompressed_bytes=4 * 1024 * 1024)

    message = _refusal(engine, path)

    assert message == "the workbook would expand to 8 MiB; the limit is 4 MiB (a possible zip bomb)"


def test_a_workbook_member_that_expands_too_many_times_is_refused(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = _xlsx_archive(tmp_path / "ratio.xlsx", b"\x00" * (20 * 1024 * 1024))

    assert _refusal(engine, path).startswith("the workbook member xl/worksheets/sheet1.xml expands 1,0")


def test_a_damaged_zip_is_refused(engine: ProfilingEngine, tmp_path: Path) -> None:
    good = _xlsx_archive(tmp_path / "good.xlsx", b"<sheet/>", level=0)
    data = bytearray(Path(good).read_bytes())
    data[40:48] = b"XXXXXXXX"  # inside the first member's data: its CRC no longer matches
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))

    assert _refusal(engine, str(path)).startswith("the workbook is a damaged ZIP archive")


def test_a_parquet_file_with_a_corrupt_footer_is_refused(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = tmp_path / "corrupt.parquet"
    pl.DataFrame({"a": list(range(100))}).write_parquet(path)
    data = bytearray(path.read_bytes())
    footer_length = int.from_bytes(data[-8:-4], "little")
    data[-8 - footer_length : -8] = b"\xff" * footer_length
    path.write_bytes(bytes(data))

    assert _refusal(engine, str(path)).startswith("the Parquet file's footer is corrupt and cannot be read")


def test_a_truncated_parquet_file_is_refused(engine: ProfilingEngine, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pl.DataFrame({"a": [1, 2, 3]}).write_parquet(buffer)
    path = tmp_path / "cut.parquet"
    path.write_bytes(buffer.getvalue()[:-10])

    assert _refusal(engine, str(path)) == "the Parquet file is truncated: its footer (closing PAR1 marker) is missing"


def test_bare_carriage_return_line_endings_are_refused_rather_than_misread(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("mac.csv", "a,b\r1,2\r3,4\r")

    assert "bare carriage return" in _refusal(engine, path)


def test_mixed_encodings_within_the_first_lines_are_refused_too(engine: ProfilingEngine, write: Write) -> None:
    path = write("mixed.csv", "name\nJosé\n".encode() + "Zoë\n".encode("cp1252") + "Léa\n".encode())

    assert _refusal(engine, path).startswith("line 3: byte 0xeb is not valid utf-8 text")
