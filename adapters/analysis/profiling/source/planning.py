"""Plan the chunks of a file for fan-out: each chunk starts on a record boundary.

CSV/TSV and JSON Lines are split into byte ranges by the same quote-parity scan that cuts
blocks (see blocks.py), so a quoted newline never splits a record. Text in an encoding whose
newline and quote bytes can occur inside other characters (UTF-16, UTF-32) is one chunk.
Parquet is split into ranges of row groups; an XLSX workbook is one chunk.
"""

from __future__ import annotations

from dataclasses import replace

from ..progress import Tick, no_tick
from ..settings import EngineSettings
from .blocks import record_blocks
from .chunk_spec import ChunkSpec
from .encoding import TextEncoding
from .source_info import SourceInfo
from .text_stream import read_range

XLSX_FIRST_DATA_ROW = 2


def whole_file(source: SourceInfo) -> ChunkSpec:
    """The single chunk that covers the whole file."""
    if source.format == "parquet":
        return ChunkSpec(index=0, count=1, source=source, row_group_end=source.row_groups)
    if source.format == "xlsx":
        return ChunkSpec(index=0, count=1, source=source, first_line=XLSX_FIRST_DATA_ROW)
    return ChunkSpec(
        index=0, count=1, source=source, start=source.data_start, end=source.size, first_line=source.first_line
    )


def plan_chunks(
    path: str, source: SourceInfo, *, target_bytes: int, settings: EngineSettings, tick: Tick = no_tick
) -> list[ChunkSpec]:
    """Raises ValueError for a non-positive target, InvalidReportFile for unbalanced quotes.

    `tick` is called after every block of the scan that finds record boundaries.
    """
    if target_bytes <= 0:
        raise ValueError("target_bytes must be positive")
    if source.format == "parquet":
        return _plan_row_groups(path, source, target_bytes)
    if source.format == "xlsx" or source.size - source.data_start <= target_bytes:
        return [whole_file(source)]
    assert source.encoding is not None
    if not TextEncoding(name=source.encoding, bom=source.bom).ascii_compatible:
        return [whole_file(source)]
    return _plan_byte_ranges(path, source, target_bytes, settings, tick)


def _plan_byte_ranges(
    path: str, source: SourceInfo, target_bytes: int, settings: EngineSettings, tick: Tick
) -> list[ChunkSpec]:
    # Steps of an eighth of the target keep each chunk within an eighth of its target size.
    step = max(1, min(target_bytes // 8, settings.block_bytes))
    quote = source.quote.encode() if source.format != "jsonl" and source.quote else None
    pieces = read_range(path, start=source.data_start, end=source.size, piece_bytes=step)
    ranges: list[tuple[int, int, int]] = []
    start, first_line = source.data_start, source.first_line
    for block in record_blocks(pieces, quote=quote, limits=replace(settings, block_bytes=step), first_line=first_line):
        tick()
        end = source.data_start + block.offset + len(block.data)
        if end - start >= target_bytes:
            ranges.append((start, end, first_line))
            start, first_line = end, block.first_line + block.data.count(b"\n")
    if start < source.size or not ranges:
        ranges.append((start, source.size, first_line))
    return [
        ChunkSpec(index=index, count=len(ranges), source=source, start=start, end=end, first_line=line)
        for index, (start, end, line) in enumerate(ranges)
    ]


def _plan_row_groups(path: str, source: SourceInfo, target_bytes: int) -> list[ChunkSpec]:
    from .parquet_reader import row_group_sizes  # with pyarrow, for Parquet files only (see read.py)

    ranges: list[tuple[int, int, int]] = []
    first, size, row, first_row = 0, 0, 1, 1
    for group, (compressed, rows) in enumerate(row_group_sizes(path)):
        size += compressed
        row += rows
        if size >= target_bytes:
            ranges.append((first, group + 1, first_row))
            first, size, first_row = group + 1, 0, row
    if first < source.row_groups or not ranges:
        ranges.append((first, source.row_groups, first_row))
    return [
        ChunkSpec(
            index=index, count=len(ranges), source=source, row_group_start=start, row_group_end=end, first_line=line
        )
        for index, (start, end, line) in enumerate(ranges)
    ]
