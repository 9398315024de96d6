"""Describe an XLSX workbook and read one sheet (first, or named) as text batches.

The sheet is loaded whole (calamine has no streaming reader); the zip guard has bounded its
uncompressed size beforehand, which bounds memory. One workbook is therefore one chunk.
"""

from __future__ import annotations

from collections.abc import Iterator

import fastexcel  # type: ignore[import-untyped,unused-ignore]
import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from domain.errors import InvalidReportFile

from ..progress import Tick, no_tick
from ..settings import EngineSettings
from .batch import Batch
from .chunk_spec import ChunkSpec
from .dialect import unique_names
from .source_info import SourceInfo
from .xlsx_guard import check_workbook
from .xlsx_numbers import numeric_columns, with_exact_numbers

_SLICE_ROWS = 65_536


def describe_workbook(path: str, size: int, settings: EngineSettings, *, tick: Tick = no_tick) -> SourceInfo:
    """Raises InvalidReportFile for a non-XLSX zip, a possible zip bomb or a missing sheet."""
    check_workbook(path, settings, tick=tick)
    names = _reader(path).sheet_names
    if not names:
        raise InvalidReportFile("the workbook has no sheets")
    sheet = settings.sheet or names[0]
    if sheet not in names:
        available = ", ".join(f'"{name}"' for name in names)
        raise InvalidReportFile(f'the workbook has no sheet named "{sheet}" (sheets: {available})')
    return SourceInfo(format="xlsx", size=size, sheet=sheet)


def read_xlsx_chunk(path: str, chunk: ChunkSpec, settings: EngineSettings) -> Iterator[Batch]:
    """Rows are numbered as in the sheet, assuming its header is the first row (line 1)."""
    sheet = chunk.source.sheet
    assert sheet is not None
    frame = _load_sheet(path, sheet)
    if frame.width > settings.max_columns:
        raise InvalidReportFile(
            f"the sheet has {frame.width:,} columns; at most {settings.max_columns:,} are supported"
        )
    frame = frame.rename(dict(zip(frame.columns, unique_names(frame.columns), strict=True)))
    frame = frame.with_columns(pl.all().cast(pl.String))
    for offset in range(0, max(frame.height, 1), _SLICE_ROWS):  # a header-only sheet still has columns
        part = frame.slice(offset, _SLICE_ROWS)
        first = chunk.first_line + offset
        progress = (offset + part.height) / max(frame.height, 1)
        yield Batch(frame=part, lines=np.arange(first, first + part.height, dtype=np.int64), progress=progress)


def _load_sheet(path: str, sheet: str) -> pl.DataFrame:
    """The sheet as text: text cells as written, number cells spelt from their exact value."""
    reader = _reader(path)
    try:
        # Eager loading hands back an Arrow batch: unlike the lazy sheet's conversion to polars, it
        # releases the GIL, so the engine can keep calling its checkpoint while a big sheet loads.
        text = _polars(reader.load_sheet(sheet, dtypes="string", eager=True))
        positions = numeric_columns(text)
        if not positions:
            return text
        floats = _polars(reader.load_sheet(sheet, dtypes="float", use_columns=positions, eager=True))
    except fastexcel.FastExcelError as exc:
        raise InvalidReportFile(f'the sheet "{sheet}" cannot be read ({exc})') from exc
    return with_exact_numbers(text, floats, positions)


def _polars(batch: pa.RecordBatch) -> pl.DataFrame:
    return pl.DataFrame(pl.from_arrow(batch))


def _reader(path: str) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(path)
    except fastexcel.FastExcelError as exc:
        raise InvalidReportFile(f"the workbook cannot be read ({exc})") from exc
