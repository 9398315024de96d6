"""Small files that decode to huge ones (an XLSX of shared-string references, a Parquet column of
dictionary references) are refused before they are decoded, with a message saying why."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]
import pytest

from adapters.analysis.profiling import ProfilingEngine
from domain.errors import InvalidReportFile

from .helpers import column
from .workbooks import write_workbook

MIB = 2**20


def _long_text(size: int) -> str:
    """Text that deflate cannot squeeze much (random letters): it passes the archive's ratio check."""
    letters = np.array(list(string.ascii_letters))
    return "".join(np.random.default_rng(1).choice(letters, size))


def test_an_xlsx_whose_shared_strings_expand_past_the_budget_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    long = _long_text(MIB)
    path = write_workbook(tmp_path / "bomb.xlsx", [["text"], *([long] for _ in range(300))])
    assert Path(path).stat().st_size < 2 * MIB

    with pytest.raises(InvalidReportFile, match=r"xl/worksheets/sheet1\.xml would expand to 300 MiB of text.*256 MiB"):
        ProfilingEngine().analyze_path(path)


def test_an_xlsx_within_the_decoded_budget_is_profiled(tmp_path: Path) -> None:
    long = _long_text(64 * 1024)
    path = write_workbook(tmp_path / "fine.xlsx", [["text", "n"], *([long, n] for n in range(100))])

    result = ProfilingEngine(max_xlsx_decoded_bytes=8 * MIB).analyze_path(path)

    assert column(result, "text")["count"] == 100


def test_the_xlsx_decoded_budget_is_a_setting(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "small.xlsx", [["text"], *(["x" * 1000] for _ in range(2000))])

    with pytest.raises(InvalidReportFile, match="expand to 2 MiB of text once its shared strings are filled in"):
        ProfilingEngine(max_xlsx_decoded_bytes=MIB).analyze_path(path)


def _dictionary_parquet(path: Path, value: str, rows: int) -> str:
    """Every row refers to the one value of the column's dictionary (written without expanding it)."""
    text = pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, np.int32)), pa.array([value]))
    table = pa.table({"id": pa.array(np.arange(rows)), "text": text})
    pq.write_table(table, path, use_dictionary=True, row_group_size=rows)
    return str(path)


def test_a_parquet_batch_whose_dictionary_expands_past_the_budget_is_refused_before_it_is_decoded(
    tmp_path: Path,
) -> None:
    path = _dictionary_parquet(tmp_path / "bomb.parquet", _long_text(64 * 1024), 8192)
    assert Path(path).stat().st_size < MIB

    with pytest.raises(InvalidReportFile, match=r"records from 1 on expand to 512 MiB in one batch of 8,192 rows.*256"):
        ProfilingEngine().analyze_path(path)


def test_a_parquet_file_within_the_batch_budget_is_profiled(tmp_path: Path) -> None:
    path = _dictionary_parquet(tmp_path / "fine.parquet", "x" * 1000, 8192)

    result = ProfilingEngine(max_parquet_batch_bytes=16 * MIB).analyze_path(path)

    top = column(result, "text")["top_values"][0]
    assert top["value"].startswith("x" * 200 + "… [1,000 characters")
    assert top["count"] == 8192
    assert column(result, "id")["max"] == 8191
