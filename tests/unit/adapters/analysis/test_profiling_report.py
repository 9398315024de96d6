"""The HTML report is self-contained and inert; exported tables cannot smuggle spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pydantic
import pytest

from adapters.analysis.profiling import ProfilingEngine

from .helpers import Write

HOSTILE = "<script>alert(1)</script>"


def _hostile_result(engine: ProfilingEngine, write: Write) -> dict[str, Any]:
    header = f'"{HOSTILE}",amount,"=HYPERLINK(""http://x"")"'
    rows = [f'"{HOSTILE}",{n},"=1+2"' for n in range(1, 6)] + ['"<img src=x onerror=alert(2)>",-7,@SUM(A1)']
    path = write("hostile.csv", "\n".join([header, *rows]) + "\n")
    schema = {"columns": [{"name": "amount", "type": "integer", "min": 0}]}
    return engine.analyze_path(path, schema=schema)


def test_everything_from_the_file_is_escaped_in_the_html(engine: ProfilingEngine, write: Write) -> None:
    html = engine.render_html(_hostile_result(engine, write))

    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror=alert(2)" not in html or "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_html_has_no_scripts_and_no_external_assets(engine: ProfilingEngine, write: Write) -> None:
    html = engine.render_html(_hostile_result(engine, write))

    tags = re.findall(r"<[a-z][^>]*>", html, re.IGNORECASE)
    assert not [tag for tag in tags if re.search(r"\b(src|href|on[a-z]+)\s*=", tag, re.IGNORECASE)]
    assert not re.search(r"<script|javascript:|@import|url\(", html, re.IGNORECASE)
    assert "Content-Security-Policy" in html
    assert "default-src 'none'" in html


def test_the_html_draws_histograms_null_bars_and_top_values_as_inline_svg(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("chart.csv", "n,c\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(50)) + ",\n")

    html = engine.render_html(engine.analyze_path(path))

    assert html.count('aria-label="histogram"') == 1
    assert html.count('aria-label="nulls"') == 2
    assert html.count('aria-label="top values"') == 2


def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised_in_the_html(
    engine: ProfilingEngine, write: Write
) -> None:
    html = engine.render_html(_hostile_result(engine, write))

    assert "&#x27;=HYPERLINK" in html
    assert ">=HYPERLINK" not in html


def test_the_csv_exports_neutralise_every_formula_prefix(engine: ProfilingEngine, write: Write) -> None:
    result = _hostile_result(engine, write)

    columns = list(csv.reader(io.StringIO(engine.export_csv(result, table="columns"))))
    violations = list(csv.reader(io.StringIO(engine.export_csv(result, table="violations"))))

    names = [row[0] for row in columns[1:]]
    assert names == [HOSTILE, "amount", '\'=HYPERLINK("http://x")']
    assert violations[1] == ["7", "amount", "min", "-7", "below the minimum 0"]


@pytest.mark.parametrize(
    ("text", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("-7", "-7"),
        ("+1.5e3", "+1.5e3"),
        ("plain", "plain"),
    ],
)
def test_formula_prefixes_are_neutralised_but_plain_numbers_are_kept(
    engine: ProfilingEngine, write: Write, text: str, exported: str
) -> None:
    result = engine.analyze_path(write("one.csv", "x\n1\n"))
    result["columns"][0]["name"] = text

    rows = list(csv.reader(io.StringIO(engine.export_csv(result)), strict=True))

    assert rows[1][0] == exported


def test_rendering_refuses_a_document_that_is_not_a_version_2_result(engine: ProfilingEngine) -> None:
    with pytest.raises(pydantic.ValidationError):
        engine.render_html({"schema_version": 1, "summary": {"rows": 1, "columns": 1}})
