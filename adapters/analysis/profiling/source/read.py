"""Read any chunk as text batches, whatever the file's format."""

from __future__ import annotations

from collections.abc import Iterator

from ..settings import EngineSettings
from .batch import Batch
from .chunk_spec import ChunkSpec
from .csv_reader import read_csv_chunk
from .jsonl_reader import read_jsonl_chunk
from .parquet_reader import read_parquet_chunk
from .xlsx_reader import read_xlsx_chunk

_READERS = {
    "csv": read_csv_chunk,
    "tsv": read_csv_chunk,
    "jsonl": read_jsonl_chunk,
    "parquet": read_parquet_chunk,
    "xlsx": read_xlsx_chunk,
}


def read_chunk(path: str, chunk: ChunkSpec, settings: EngineSettings) -> Iterator[Batch]:
    return _READERS[chunk.source.format](path, chunk, settings)
