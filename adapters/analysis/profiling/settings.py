"""The engine's knobs: null tokens, limits and the block size that bounds memory."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineSettings:
    """Limits that keep one profile within its memory budget, whatever the file size.

    Memory is driven by `block_bytes` (text is parsed one record-aligned block at a time),
    by the per-column sketches (a few hundred KiB each, so `max_columns` caps their sum) and
    by `exact_budget_bytes`, shared by the exact value tables of all columns.

    Compressed formats can expand far beyond their size: `max_xlsx_uncompressed_bytes` and
    `max_xlsx_ratio` bound a workbook's archive, `max_xlsx_decoded_bytes` the text of a sheet
    once its shared strings are filled into its cells (one short string in the table can be
    referenced by a million cells), and `max_parquet_batch_bytes` the values of one Parquet
    batch once its dictionaries are expanded (one long value can be referenced by every row).
    Past them the file is refused (InvalidReportFile) before anything is decoded.
    """

    null_values: tuple[str, ...] = ()
    max_columns: int = 1000
    sheet: str | None = None
    block_bytes: int = 4 * MIB
    max_record_bytes: int = 64 * MIB
    max_xlsx_uncompressed_bytes: int = 256 * MIB
    max_xlsx_ratio: int = 500  # deflate tops out near 1,032:1; real sheets stay far below
    max_xlsx_decoded_bytes: int = 256 * MIB
    max_parquet_batch_bytes: int = 256 * MIB
    parquet_batch_rows: int = 65_536
    exact_distinct_limit: int = 10_000
    exact_budget_bytes: int = 64 * MIB
    max_violations: int = 1000
    max_quality_lines: int = 100
