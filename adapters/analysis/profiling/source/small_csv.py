"""Parse a small CSV block in Python, as polars' reader would, without its fixed cost.

polars' `read_csv` costs about 0.4 ms for a few records, and 1 ms or more when its threads
have gone to sleep since the last call, which they have between the jobs of a worker: it is
the largest single cost of profiling a small file. A block of a few hundred records is cut
here instead, along the records the block's index already found (whose quoting it already
checked), to the same values polars gives: fields split at delimiters outside quotes, quotes
taken off and doubled quotes undoubled, one carriage return before the record's end dropped,
missing fields empty and extra ones dropped. It also does what the profile does next to
polars' frame: blank records are left out, empty values and the null tokens become nulls
(normalise_nulls, another polars call saved). Whatever looks unusual (text between a closing
quote and the next delimiter) is left to polars: `parse_small` then answers None.
`tests/unit/adapters/analysis/test_small_csv.py` checks the two agree on generated blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .records import RecordIndex

SMALL_RECORDS = 256
SMALL_BYTES = 64 * 1024


def parse_small(
    data: bytes,
    index: RecordIndex,
    names: Sequence[str],
    delimiter: str,
    quote: str | None,
    null_values: tuple[str, ...] = (),
) -> pl.DataFrame | None:
    """The block's records but blank ones as String columns `names`, empty strings and
    `null_values` as nulls (what normalise_nulls makes of polars' parse), or None when the
    block is not small or a record is not plainly quoted."""
    if len(data) > SMALL_BYTES or len(index.starts) > SMALL_RECORDS:
        return None
    nulls = {"", *null_values}
    width = len(names)
    columns: list[list[str | None]] = [[] for _ in names]
    for start, end, blank in zip(index.starts.tolist(), index.ends.tolist(), index.blank.tolist(), strict=True):
        if blank:
            continue
        record = data[start:end].decode()
        if record.endswith("\r"):
            record = record[:-1]
        fields = record.split(delimiter) if quote is None or quote not in record else _quoted(record, delimiter, quote)
        if fields is None:
            return None
        fields += [""] * (width - len(fields))
        for column, value in zip(columns, fields, strict=False):
            column.append(None if value in nulls else value)
    # from Series: two thirds of the time of a frame built from a dict of lists with a schema
    return pl.DataFrame([pl.Series(name, column, pl.String) for name, column in zip(names, columns, strict=True)])


def _quoted(record: str, delimiter: str, quote: str) -> list[str] | None:
    fields: list[str] = []
    position, length = 0, len(record)
    while True:
        if position < length and record[position] == quote:
            parts, position = [], position + 1
            while True:
                closing = record.find(quote, position)
                if closing < 0:
                    return None
                parts.append(record[position:closing])
                position = closing + 1
                if position < length and record[position] == quote:  # a doubled quote
                    parts.append(quote)
                    position += 1
                    continue
                break
            fields.append("".join(parts))
            if position == length:
                return fields
            if record[position] != delimiter:
                return None
        else:
            cut = record.find(delimiter, position)
            if cut < 0:
                fields.append(record[position:])
                return fields
            fields.append(record[position:cut])
            position = cut
        position += 1  # past the delimiter
