"""Stream a byte range of a CSV/TSV file as text batches, with line numbers and ragged rows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import polars as pl

from domain.errors import InvalidReportFile

from ..settings import EngineSettings
from .batch import Batch
from .blocks import record_blocks
from .chunk_spec import ChunkSpec
from .encoding import TextEncoding
from .records import RecordIndex, field_counts, index_records
from .small_csv import parse_small
from .source_info import SourceInfo
from .text_stream import as_utf8, read_range


def read_csv_chunk(path: str, chunk: ChunkSpec, settings: EngineSettings) -> Iterator[Batch]:
    """Raises InvalidReportFile for undecodable text, bad quoting or a record polars cannot parse.

    Ragged rows are kept: missing trailing fields are null and extra fields are dropped; the
    rows are counted (with their lines) as a data-quality fact instead of failing the file.
    """
    source = chunk.source
    assert source.delimiter is not None
    assert source.encoding is not None
    encoding = TextEncoding(name=source.encoding, bom=source.bom)
    pieces = read_range(path, start=chunk.start, end=chunk.end, piece_bytes=settings.block_bytes)
    text = as_utf8(pieces, encoding, first_line=chunk.first_line)
    quote = source.quote.encode() if source.quote else None
    width = len(source.columns)
    for block in record_blocks(text, quote=quote, limits=settings, first_line=chunk.first_line):
        index = index_records(block.data, first_line=block.first_line, delimiter=source.delimiter, quote=source.quote)
        small = parse_small(block.data, index, source.columns, source.delimiter, source.quote, settings.null_values)
        frame, regular = (small, False) if small is not None else _parse_kept(block.data, index, source)
        kept = ~index.blank
        ragged = np.zeros_like(kept) if regular else kept & (field_counts(block.data, index, source.delimiter) != width)
        yield Batch(
            frame=frame,
            lines=index.lines[kept],
            ragged_lines=index.lines[ragged],
            blank_lines=int(index.blank.sum()),
            progress=min(1.0, (block.offset + len(block.data)) / max(chunk.end - chunk.start, 1)),
            nulls_normalised=small is not None,
        )


def _parse_kept(data: bytes, index: RecordIndex, source: SourceInfo) -> tuple[pl.DataFrame, bool]:
    """polars' parse of the block, its columns named, its blank records dropped; and whether
    every record is known to hold exactly the header's fields, so none needs counting.

    polars parses strictly first: it refuses a record with extra fields and gives a missing
    one as null, as it gives an empty one (the profile makes every empty value null anyway).
    So when the last column holds no null, no record is ragged. Otherwise, or when polars
    refused, the caller counts the fields (a file with ragged rows pays a second parse). So it
    does for a block without a final newline: polars lets its last record's extra empty field
    pass unremarked (`1,2,3,` at the very end of a 3-column block).
    """
    assert source.delimiter is not None
    schema = {f"c{position}": pl.String for position in range(len(source.columns))}
    strict = _parse(data, schema, source.delimiter, source.quote, index.lines, strict=True)
    frame = strict if strict is not None else _parse(data, schema, source.delimiter, source.quote, index.lines)
    assert frame is not None
    if frame.height != len(index.lines):
        raise InvalidReportFile(f"malformed CSV between lines {index.lines[0]} and {index.lines[-1]}")
    if index.blank.any():
        frame = frame.filter(pl.Series(~index.blank))
    regular = (
        strict is not None
        and data.endswith(b"\n")
        and frame.width > 0
        and frame.get_column(f"c{frame.width - 1}").null_count() == 0
    )
    return frame.rename(dict(zip(schema, source.columns, strict=True))), regular


def _parse(
    data: bytes,
    schema: dict[str, type[pl.String]],
    delimiter: str,
    quote: str | None,
    lines: npt.NDArray[np.int64],
    *,
    strict: bool = False,
) -> pl.DataFrame | None:
    """polars' parse of the block as text; a strict parse answers None where a lenient one
    (extra fields dropped, missing ones empty) raises InvalidReportFile."""
    try:
        return pl.read_csv(
            data,
            has_header=False,
            schema=schema,
            separator=delimiter,
            quote_char=quote,
            null_values=None,
            empty_string_is_null=strict,
            truncate_ragged_lines=not strict,
            missing_columns="insert",
            # else a block whose first record has extra fields is refused
            extra_columns="raise" if strict else "ignore",
        )
    except pl.exceptions.PolarsError as exc:
        if strict:
            return None
        reason = str(exc).strip().splitlines()[0]
        raise InvalidReportFile(f"malformed CSV between lines {lines[0]} and {lines[-1]}: {reason}") from exc
