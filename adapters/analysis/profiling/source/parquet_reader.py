"""Describe a Parquet file from its footer and stream a range of its row groups as text batches."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

from domain.errors import InvalidReportFile

from ..settings import MIB, EngineSettings
from .batch import Batch
from .chunk_spec import ChunkSpec
from .dialect import unique_names
from .magic import PARQUET_MAGIC
from .source_info import SourceInfo
from .text_frame import as_text


def describe_parquet(path: str, size: int, settings: EngineSettings) -> SourceInfo:
    """Raises InvalidReportFile for a truncated file or a footer that cannot be read."""
    with open(path, "rb") as handle:
        handle.seek(max(0, size - len(PARQUET_MAGIC)))
        if size < 2 * len(PARQUET_MAGIC) + 4 or handle.read() != PARQUET_MAGIC:
            raise InvalidReportFile("the Parquet file is truncated: its footer (closing PAR1 marker) is missing")
    metadata = _open(path).metadata
    columns = unique_names(metadata.schema.to_arrow_schema().names)
    if len(columns) > settings.max_columns:
        raise InvalidReportFile(
            f"the file has {len(columns):,} columns; at most {settings.max_columns:,} are supported"
        )
    return SourceInfo(format="parquet", size=size, columns=columns, row_groups=metadata.num_row_groups)


def row_group_sizes(path: str) -> list[tuple[int, int]]:
    """(compressed bytes, rows) of every row group, from the footer."""
    metadata = _open(path).metadata
    groups = (metadata.row_group(index) for index in range(metadata.num_row_groups))
    return [
        (sum(group.column(c).total_compressed_size for c in range(group.num_columns)), group.num_rows)
        for group in groups
    ]


def read_parquet_chunk(path: str, chunk: ChunkSpec, settings: EngineSettings) -> Iterator[Batch]:
    """Raises InvalidReportFile when a row group cannot be decoded or a batch expands past its budget.

    Text and binary columns are read as dictionaries, as most writers store them: a batch's
    expanded size is then known (and refused) before its values are materialised.
    """
    parquet = _open(path, dictionaries=True)
    groups = list(range(chunk.row_group_start, chunk.row_group_end))
    if not groups:
        return
    names = chunk.source.columns
    line = chunk.first_line
    total = sum(parquet.metadata.row_group(group).num_rows for group in groups)
    try:
        for record_batch in parquet.iter_batches(batch_size=settings.parquet_batch_rows, row_groups=groups):
            expanded = _expanded(record_batch, line, settings.max_parquet_batch_bytes)
            renamed = pa.RecordBatch.from_arrays(expanded, names=names)
            frame = as_text(pl.DataFrame(pl.from_arrow(renamed)))
            lines = np.arange(line, line + frame.height, dtype=np.int64)
            line += frame.height
            yield Batch(frame=frame, lines=lines, progress=(line - chunk.first_line) / max(total, 1))
    except (pa.ArrowException, OSError) as exc:
        raise InvalidReportFile(f"the Parquet file is corrupt near record {line}: {exc}") from exc


def _expanded(batch: pa.RecordBatch, line: int, budget: int) -> list[pa.Array]:
    """The batch's columns with their dictionaries expanded, once their expanded size is known to fit."""
    size = 0
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            lengths = pc.binary_length(column.dictionary)
            size += (pc.sum(pc.take(lengths, column.indices)).as_py() or 0) + 8 * len(column)
        else:
            size += column.nbytes
    if size > budget:
        raise InvalidReportFile(
            f"the Parquet records from {line} on expand to {size / MIB:,.0f} MiB in one batch of "
            f"{batch.num_rows:,} rows; the limit is {budget / MIB:,.0f} MiB (a possible decompression bomb)"
        )
    return [column.dictionary_decode() if pa.types.is_dictionary(column.type) else column for column in batch.columns]


def _open(path: str, *, dictionaries: bool = False) -> pq.ParquetFile:
    """With `dictionaries`, top-level text and binary columns are read as dictionary arrays."""
    try:
        if not dictionaries:
            return pq.ParquetFile(path)
        schema = pq.ParquetFile(path).schema_arrow
        textual = [field.name for field in schema if _is_textual(field.type)]
        return pq.ParquetFile(path, read_dictionary=textual)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidReportFile(f"the Parquet file's footer is corrupt and cannot be read ({exc})") from exc


def _is_textual(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    )
