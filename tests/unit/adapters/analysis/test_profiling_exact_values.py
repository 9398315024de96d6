"""Float values reach the profile at full precision, whatever the format carried them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine

from .helpers import column

# Decimal years: months as twelfths, most of which have 17 significant digits.
YEARS = [2000 + month / 12 for month in range(1, 12)] * 3 + [2000 + 1 / 12, 2000 + 1 / 12]


def _csv(path: Path, values: list[Any]) -> str:
    pl.DataFrame({"year": values}).write_csv(path.with_suffix(".csv"))
    return str(path.with_suffix(".csv"))


def _parquet(path: Path, values: list[Any]) -> str:
    pl.DataFrame({"year": values}).write_parquet(path.with_suffix(".parquet"))
    return str(path.with_suffix(".parquet"))


def _xlsx(path: Path, values: list[Any]) -> str:
    """Excel stores 17 significant digits, openpyxl 16: the sheet's numbers are rewritten in full."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["year"])
    for value in values:
        sheet.append([value])
    written = io.BytesIO()
    book.save(written)
    target = path.with_suffix(".xlsx")
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                for value in values:
                    if isinstance(value, float):
                        data = data.replace(f"<v>{value:.16g}</v>".encode(), f"<v>{value!r}</v>".encode())
            copy.writestr(member, data)
    return str(target)


WRITERS = pytest.mark.parametrize("writer", [_csv, _parquet, _xlsx], ids=["csv", "parquet", "xlsx"])


@WRITERS
def test_top_values_quantiles_and_histogram_bounds_of_a_float_column_are_values_of_the_data(
    engine: ProfilingEngine, tmp_path: Path, writer: Any
) -> None:
    path = writer(tmp_path / "years", YEARS)

    profile = column(engine.analyze_path(path), "year")

    assert profile["type"] == "float"
    data = set(YEARS)
    assert profile["top_values"][0] == {"value": repr(2000 + 1 / 12), "count": 5, "lower_bound": 5, "upper_bound": 5}
    assert {float(top["value"]) for top in profile["top_values"]} <= data
    assert set(profile["quantiles"].values()) <= data
    assert (profile["min"], profile["max"]) == (min(YEARS), max(YEARS))
    edges = profile["histogram"]["edges"]
    assert (edges[0], edges[-1]) == (min(YEARS), max(YEARS))


@WRITERS
def test_a_tiny_fraction_and_a_whole_number_beyond_double_precision_digits_keep_their_exact_values(
    engine: ProfilingEngine, tmp_path: Path, writer: Any
) -> None:
    tiny = [2.5e-9, 1.25e-9, 2.5e-9]
    large = [123456789012345680.0, 2.0**60, 3.0]

    tiny_profile = column(engine.analyze_path(writer(tmp_path / "tiny", tiny)), "year")
    large_profile = column(engine.analyze_path(writer(tmp_path / "large", large)), "year")

    assert float(tiny_profile["top_values"][0]["value"]) == 2.5e-9
    assert (tiny_profile["min"], tiny_profile["max"]) == (1.25e-9, 2.5e-9)
    assert {float(top["value"]) for top in large_profile["top_values"]} == set(large)
    assert (large_profile["min"], large_profile["max"]) == (3, 2**60)


def test_an_xlsx_column_mixing_text_and_numbers_keeps_the_text_as_written_and_the_numbers_exact(
    engine: ProfilingEngine, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "mixed", [2000 + 1 / 12, "12.50", "n/a", 3, 2000 + 1 / 12])

    profile = column(engine.analyze_path(path), "year")

    values = {top["value"]: top["count"] for top in profile["top_values"]}
    assert values == {repr(2000 + 1 / 12): 2, "12.50": 1, "n/a": 1, "3": 1}


def test_whole_numbers_of_an_xlsx_sheet_stay_integers(engine: ProfilingEngine, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "whole", [1, 2.0, 3, 2**62])

    profile = column(engine.analyze_path(path), "year")

    assert profile["type"] == "integer"
    assert profile["max"] == 2**62
