"""Cut a text stream into blocks of whole records, so each block parses on its own.

A newline ends a record only outside quotes. With RFC 4180 quoting (a quote inside a quoted
field is doubled), a newline is outside quotes exactly when the number of quote characters
before it is even: the blocks are cut at the last such newline, counted from the block start
(every block starts on a record boundary, so the count restarts at zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from domain.errors import InvalidReportFile

from ..settings import EngineSettings
from .byte_count import count_byte


@dataclass(frozen=True, slots=True)
class Block:
    """Whole records, the absolute line number of their first line and their byte offset."""

    data: bytes
    first_line: int
    offset: int


def record_blocks(
    pieces: Iterable[bytes], *, quote: bytes | None, limits: EngineSettings, first_line: int
) -> Iterator[Block]:
    """Yield record-aligned blocks of about `limits.block_bytes`.

    Raises InvalidReportFile for a record longer than `limits.max_record_bytes` or a quote
    that never closes.
    """
    carry = b""
    line, offset = first_line, 0
    for piece in pieces:
        buffer = carry + piece if carry else piece
        cut = _last_boundary(buffer, quote) if len(buffer) >= limits.block_bytes else 0
        if cut == 0:
            if len(buffer) > limits.max_record_bytes:
                raise InvalidReportFile(
                    f"line {line}: a record longer than {limits.max_record_bytes // 2**20} MiB starts here "
                    "(most likely a quote that is never closed)"
                )
            carry = buffer
            continue
        block, carry = buffer[:cut], buffer[cut:]
        yield Block(block, line, offset)
        line += count_byte(block, b"\n")
        offset += len(block)
    if carry:
        if quote is not None and count_byte(carry, quote) % 2:
            opening_line = line + carry.count(b"\n", 0, carry.rfind(quote))
            raise InvalidReportFile(
                f"line {opening_line}: a quoted field opens here and never closes (unbalanced quotes)"
            )
        yield Block(carry, line, offset)


def _last_boundary(buffer: bytes, quote: bytes | None) -> int:
    """The offset just after the last newline outside quotes, or 0 when there is none."""
    newline = buffer.rfind(b"\n")
    if quote is None or newline < 0:
        return newline + 1
    total = count_byte(buffer, quote)
    after = count_byte(buffer, quote, newline + 1)
    while newline >= 0:
        if (total - after) % 2 == 0:
            return newline + 1
        previous = buffer.rfind(b"\n", 0, newline)
        after += buffer.count(quote, previous + 1, newline + 1)
        newline = previous
    return 0
