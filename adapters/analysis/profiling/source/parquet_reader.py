"""Describe a Parquet file from its footer and stream a range of its row groups as text batches."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

from domain.errors import InvalidReportFile

from ..settings import EngineSettings
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
    """Raises InvalidReportFile when a row group cannot be decoded."""
    parquet = _open(path)
    groups = list(range(chunk.row_group_start, chunk.row_group_end))
    if not groups:
        return
    names = chunk.source.columns
    line = chunk.first_line
    total = sum(parquet.metadata.row_group(group).num_rows for group in groups)
    try:
        for record_batch in parquet.iter_batches(batch_size=settings.parquet_batch_rows, row_groups=groups):
            renamed = pa.RecordBatch.from_arrays(record_batch.columns, names=names)
            frame = as_text(pl.DataFrame(pl.from_arrow(renamed)))
            lines = np.arange(line, line + frame.height, dtype=np.int64)
            line += frame.height
            yield Batch(frame=frame, lines=lines, progress=(line - chunk.first_line) / max(total, 1))
    except (pa.ArrowException, OSError) as exc:
        raise InvalidReportFile(f"the Parquet file is corrupt near record {line}: {exc}") from exc


def _open(path: str) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidReportFile(f"the Parquet file's footer is corrupt and cannot be read ({exc})") from exc
