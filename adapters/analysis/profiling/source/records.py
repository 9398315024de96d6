"""Index the records of a CSV block with numpy: where each starts and its line; count their
fields on demand.

Polars parses the fields; this index adds what polars does not report: absolute line
numbers (a quoted field may span lines), blank lines and, counted only when asked (it is
the index's largest cost, and a block polars parses strictly needs it only when some record
may be short), ragged rows. Quote parity (see blocks.py) tells which newlines and
delimiters sit outside quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.errors import InvalidReportFile

_NEWLINE, _CR = 10, 13


@dataclass(frozen=True, slots=True)
class RecordIndex:
    """One entry per record of the block, blank lines included (polars yields a row for them)."""

    lines: npt.NDArray[np.int64]
    blank: npt.NDArray[np.bool_]
    starts: npt.NDArray[np.int64]  # byte offset of each record
    ends: npt.NDArray[np.int64]  # and of its newline (the block's length for a last one without)
    quotes: npt.NDArray[np.intp]  # byte offset of every quote character


def index_records(block: bytes, *, first_line: int, delimiter: str, quote: str | None) -> RecordIndex:
    """Raises InvalidReportFile for a quote inside an unquoted field or text after a closing quote."""
    data = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(data == _NEWLINE)
    if quote is not None and quote.encode() in block:
        quotes = np.flatnonzero(data == ord(quote))
        _check_quote_placement(data, quotes, newlines, first_line, ord(delimiter))
        # A byte lies inside a quoted field when an odd number of quotes precede it, that is
        # between quote 2j and quote 2j+1 (a doubled quote closes and reopens at once).
        ending = np.flatnonzero(np.searchsorted(quotes, newlines) % 2 == 0)  # which newlines end a record
        ends = newlines[ending]
    else:
        quotes = np.zeros(0, np.intp)
        ends = newlines
    every_newline_ends_a_record = len(ends) == len(newlines)
    if len(data) and data[-1] != _NEWLINE:
        ends = np.append(ends, len(data))
    if not len(ends):
        empty = np.zeros(0, np.int64)
        return RecordIndex(lines=empty, blank=np.zeros(0, np.bool_), starts=empty, ends=empty, quotes=quotes)
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    lengths = ends - starts
    first_byte = data[np.minimum(starts, len(data) - 1)]
    blank = (lengths == 0) | ((lengths == 1) & (first_byte == _CR))
    if every_newline_ends_a_record:
        lines = first_line + np.arange(len(starts), dtype=np.int64)
    else:  # a record starts on the line after the newline that ended the one before
        lines = first_line + np.concatenate(([0], ending[: len(starts) - 1] + 1)).astype(np.int64)
    return RecordIndex(lines=lines, blank=blank, starts=starts, ends=ends.astype(np.int64), quotes=quotes)


def field_counts(block: bytes, index: RecordIndex, delimiter: str) -> npt.NDArray[np.int64]:
    """Fields per record of the block `index` indexed: the delimiters of its segment
    [start_i, start_i+1), less those between an opening and a closing quote. Both are sums of
    the delimiter mask over segments, added up in one pass each (bytes as small integers: no
    array of every delimiter's position)."""
    starts, quotes = index.starts, index.quotes
    if not len(starts):
        return np.zeros(0, np.int64)
    flags = (np.frombuffer(block, dtype=np.uint8) == ord(delimiter)).view(np.uint8)
    fields = np.add.reduceat(flags, starts, dtype=np.int32).astype(np.int64) + 1
    closing = quotes[1::2]
    if len(closing):
        # Sums over [quote_k, quote_k+1): the even ones lie between an opening and its closing quote.
        quoted = np.add.reduceat(flags, quotes, dtype=np.int32)[0::2][: len(closing)]
        opening = quotes[0::2][: len(closing)]
        record = np.searchsorted(starts, opening, side="right") - 1
        fields -= np.bincount(record, weights=quoted, minlength=len(starts)).astype(np.int64)
    return fields


def _check_quote_placement(
    data: npt.NDArray[np.uint8],
    quotes: npt.NDArray[np.intp],
    newlines: npt.NDArray[np.intp],
    first_line: int,
    delimiter: int,
) -> None:
    """An opening quote must start a field; a closing quote must end it (or be doubled)."""
    quote = data[quotes[0]]
    opening, closing = quotes[0::2], quotes[1::2]
    before = data[np.maximum(opening - 1, 0)]
    bad_open = opening[(opening > 0) & (before != delimiter) & (before != _NEWLINE) & (before != quote)]
    after = data[np.minimum(closing + 1, len(data) - 1)]
    at_end = closing == len(data) - 1
    bad_close = closing[~at_end & (after != delimiter) & (after != _NEWLINE) & (after != _CR) & (after != quote)]
    if len(bad_open) or len(bad_close):
        position = int(min(bad_open.min(initial=len(data)), bad_close.min(initial=len(data))))
        line = first_line + int(np.searchsorted(newlines, position))
        raise InvalidReportFile(
            f"line {line}: a quote character inside an unquoted field, or text right after a closing quote; "
            "quote the whole field and double any quote inside it"
        )
