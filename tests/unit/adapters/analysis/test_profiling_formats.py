"""Each supported format is recognised from its content and read into the same profile shape."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine
from domain.errors import InvalidReportFile

from .helpers import Write, column


def _workbook(path: Path) -> str:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Orders"
    first.append(["id", "amount", "ordered", "paid", "note"])
    first.append([1, 10.5, dt.datetime(2024, 1, 2, 9, 30), True, "NA"])
    first.append([2, None, dt.datetime(2024, 1, 3, 10, 0), False, None])
    second = book.create_sheet("Regions")
    second.append(["region"])
    second.append(["emea"])
    book.save(path)
    return str(path)


def test_a_comma_separated_file_is_profiled_with_its_header_as_column_names(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("orders.csv", "id,region,amount\n1,emea,10.5\n2,amer,\n")

    result = engine.analyze_path(path)

    assert result["schema_version"] == 2
    assert result["summary"] == {"rows": 2, "columns": 3}
    assert [c["name"] for c in result["columns"]] == ["id", "region", "amount"]
    assert result["file"]["format"] == "csv"
    assert column(result, "amount")["nulls"] == 1


def test_a_tab_separated_file_is_recognised_as_tsv(engine: ProfilingEngine, write: Write) -> None:
    path = write("data.txt", "id\tname\n1\ta, b\n2\tc\n")

    result = engine.analyze_path(path)

    assert result["file"]["format"] == "tsv"
    assert column(result, "name")["top_values"][0]["value"] == "a, b"


def test_a_semicolon_delimiter_is_sniffed(engine: ProfilingEngine, write: Write) -> None:
    path = write("data.csv", "id;price\n1;2,50\n2;3,75\n")

    result = engine.analyze_path(path)

    assert result["file"]["delimiter"] == ";"
    assert result["summary"]["columns"] == 2


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column_name(engine: ProfilingEngine, write: Write) -> None:
    path = write("bom.csv", b"\xef\xbb\xbfid,name\n1,x\n")

    result = engine.analyze_path(path)

    assert result["columns"][0]["name"] == "id"
    assert result["file"]["encoding"] == "utf-8"


def test_a_windows_1252_file_is_decoded_with_the_detected_encoding(engine: ProfilingEngine, write: Write) -> None:
    path = write("legacy.csv", "name;city\nJosé;Zürich\nRené;Genève\n".encode("cp1252"))

    result = engine.analyze_path(path)

    assert result["file"]["encoding"] == "cp1252"
    assert {top["value"] for top in column(result, "city")["top_values"]} == {"Zürich", "Genève"}


def test_a_utf16_file_with_a_byte_order_mark_is_decoded(engine: ProfilingEngine, write: Write) -> None:
    path = write("excel-export.csv", "\ufeffname,city\nJosé,Zürich\n".encode("utf-16-le"))

    result = engine.analyze_path(path)

    assert result["file"]["encoding"] == "utf-16-le"
    assert column(result, "city")["top_values"][0]["value"] == "Zürich"


def test_a_quoted_field_may_hold_the_delimiter_quotes_and_newlines(engine: ProfilingEngine, write: Write) -> None:
    path = write("quoted.csv", 'id,comment\n1,"a, ""quoted""\nline"\n2,plain\n')

    result = engine.analyze_path(path)

    assert result["summary"]["rows"] == 2
    values = {top["value"] for top in column(result, "comment")["top_values"]}
    assert values == {'a, "quoted"\nline', "plain"}


def test_quotes_inside_unquoted_fields_are_ordinary_characters_when_no_field_is_quoted(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("pipes.csv", 'item,size\npipe,12"\ntube,3"\n')

    result = engine.analyze_path(path)

    assert result["file"]["quote"] is None
    assert column(result, "size")["top_values"][0]["value"] in {'12"', '3"'}


def test_json_lines_records_may_have_different_keys_and_nested_values(engine: ProfilingEngine, write: Write) -> None:
    path = write("events.jsonl", '{"id": 1, "tags": ["a"]}\n\n{"id": 2, "user": {"name": "x"}}\n')

    result = engine.analyze_path(path)

    assert result["file"]["format"] == "jsonl"
    assert result["summary"] == {"rows": 2, "columns": 3}
    assert column(result, "user")["nulls"] == 1
    assert column(result, "user")["top_values"][0]["value"] == '{"name":"x"}'
    assert result["data_quality"]["blank_lines"] == 1


def test_a_parquet_file_is_profiled_from_its_typed_columns(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    frame = pl.DataFrame(
        {
            "id": [1, 2, None],
            "price": [1.5, None, 2.5],
            "day": [dt.date(2024, 1, 1), None, dt.date(2024, 3, 1)],
            "ok": [True, False, None],
        }
    )
    frame.write_parquet(path)

    result = engine.analyze_path(str(path))

    assert result["file"]["format"] == "parquet"
    types = {c["name"]: c["type"] for c in result["columns"]}
    assert types == {"id": "integer", "price": "float", "day": "date", "ok": "boolean"}
    assert column(result, "day")["min"] == "2024-01-01"


def test_an_xlsx_workbook_is_read_from_its_first_sheet(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")

    result = engine.analyze_path(path)

    assert result["file"]["sheet"] == "Orders"
    types = {c["name"]: c["type"] for c in result["columns"]}
    assert types == {"id": "integer", "amount": "float", "ordered": "datetime", "paid": "boolean", "note": "string"}
    assert column(result, "note")["count"] == 1


def test_a_named_sheet_of_a_workbook_can_be_chosen(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")

    result = ProfilingEngine(sheet="Regions").analyze_path(path)

    assert result["file"]["sheet"] == "Regions"
    assert [c["name"] for c in result["columns"]] == ["region"]


def test_a_missing_sheet_is_refused_with_the_names_of_the_sheets_there_are(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")

    with pytest.raises(InvalidReportFile, match='no sheet named "Missing" \\(sheets: "Orders", "Regions"\\)'):
        ProfilingEngine(sheet="Missing").analyze_path(path)


def test_a_csv_named_xlsx_is_read_as_csv_because_content_decides(engine: ProfilingEngine, write: Write) -> None:
    path = write("misnamed.xlsx", "a,b\n1,2\n")

    result = engine.analyze_path(path)

    assert result["file"]["format"] == "csv"


def test_a_stream_is_profiled_like_a_file(engine: ProfilingEngine) -> None:
    content = io.BytesIO(b"id,name\n1,x\n2,y\n")

    result = engine.analyze(content)

    assert result["summary"] == {"rows": 2, "columns": 2}


def test_duplicate_and_blank_header_names_are_made_unique(engine: ProfilingEngine, write: Write) -> None:
    path = write("dupes.csv", "a,a,,a\n1,2,3,4\n")

    result = engine.analyze_path(path)

    assert [c["name"] for c in result["columns"]] == ["a", "a_2", "column_3", "a_3"]


def test_windows_line_endings_are_read_like_unix_ones(engine: ProfilingEngine, write: Write) -> None:
    path = write("crlf.csv", 'id,note\r\n1,"a\r\nb"\r\n2,x\r\n')

    result = engine.analyze_path(path)

    assert [c["name"] for c in result["columns"]] == ["id", "note"]
    assert column(result, "id")["max"] == 2
    assert {top["value"] for top in column(result, "note")["top_values"]} == {"a\r\nb", "x"}


def test_a_header_without_rows_gives_its_columns_and_no_rows(
    engine: ProfilingEngine, write: Write, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    book.save(tmp_path / "header.xlsx")

    for path in (write("header.csv", "a,b\n"), write("bare.csv", "a,b"), str(tmp_path / "header.xlsx")):
        result = engine.analyze_path(path)

        assert result["summary"] == {"rows": 0, "columns": 2}, path
        assert {c["type"] for c in result["columns"]} == {"empty"}


def test_json_lines_records_without_keys_still_count_as_rows(engine: ProfilingEngine, write: Write) -> None:
    path = write("empty.jsonl", "{}\n{}\n")

    result = engine.analyze_path(path)

    assert result["summary"] == {"rows": 2, "columns": 0}
