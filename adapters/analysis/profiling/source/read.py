"""Read any chunk as text batches, whatever the file's format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from ..settings import EngineSettings
from .batch import Batch
from .chunk_spec import ChunkSpec
from .csv_reader import read_csv_chunk
from .jsonl_reader import read_jsonl_chunk

_Reader = Callable[[str, ChunkSpec, EngineSettings], Iterator[Batch]]
_TEXT_READERS: dict[str, _Reader] = {"csv": read_csv_chunk, "tsv": read_csv_chunk, "jsonl": read_jsonl_chunk}
_BYTES_PER_COLUMN = 16 * 1024
_MAX_WIDENING = 16
_CELLS_PER_BATCH = 4_000_000


def read_chunk(path: str, chunk: ChunkSpec, settings: EngineSettings) -> Iterator[Batch]:
    return _reader(chunk.source.format)(path, chunk, _sized_for(len(chunk.source.columns), settings))


def _reader(file_format: str) -> _Reader:
    """The reader of a format. Parquet's and XLSX's are imported with their first file: they
    bring pyarrow (about 55 MB of memory) that a process profiling text never needs; a worker
    imports them at start (warm.py)."""
    if file_format == "parquet":
        from .parquet_reader import read_parquet_chunk

        return read_parquet_chunk
    if file_format == "xlsx":
        from .xlsx_reader import read_xlsx_chunk

        return read_xlsx_chunk
    return _TEXT_READERS[file_format]


def _sized_for(width: int, settings: EngineSettings) -> EngineSettings:
    """Wide files get bigger text blocks and narrower Parquet batches.

    Each column costs a fixed overhead per batch, so a 1,000-column file read in 4 MiB blocks
    would spend its time on overhead; memory follows cells per batch, which stays bounded.
    """
    if width <= 1:
        return settings
    block = min(max(settings.block_bytes, width * _BYTES_PER_COLUMN), _MAX_WIDENING * settings.block_bytes)
    rows = max(1024, min(settings.parquet_batch_rows, _CELLS_PER_BATCH // width))
    return replace(
        settings, block_bytes=block, max_record_bytes=max(settings.max_record_bytes, block), parquet_batch_rows=rows
    )
