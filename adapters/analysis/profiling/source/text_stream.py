"""Turn raw file bytes into validated UTF-8, reporting the line of the first undecodable byte."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from domain.errors import InvalidReportFile

from .byte_count import count_byte
from .encoding import TextEncoding


def read_range(path: str, *, start: int, end: int, piece_bytes: int) -> Iterator[bytes]:
    """Yield the bytes of [start, end) of the file, piece by piece."""
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            piece = handle.read(min(piece_bytes, left))
            if not piece:
                return
            left -= len(piece)
            yield piece


def as_utf8(pieces: Iterable[bytes], encoding: TextEncoding, *, first_line: int) -> Iterator[bytes]:
    """Yield the text as UTF-8 bytes. Raises InvalidReportFile at the first byte that does not decode."""
    decoder = codecs.getincrementaldecoder(encoding.name)(errors="strict")
    utf8 = codecs.lookup(encoding.name).name == "utf-8"
    line = first_line
    for piece in pieces:
        try:
            if utf8:
                # Valid UTF-8 passes through untouched; pure ASCII needs no decoding at all.
                if not (piece.isascii() and not decoder.getstate()[0]):
                    decoder.decode(piece)
                yield piece
            else:
                yield decoder.decode(piece).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(exc, piece, line, encoding.name) from exc
        line += count_byte(piece, b"\n")
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise InvalidReportFile(f"the file ends in the middle of a {encoding.name} character") from exc
    if tail:
        yield tail.encode("utf-8")


def _undecodable(exc: UnicodeDecodeError, piece: bytes, line: int, name: str) -> InvalidReportFile:
    at = max(0, min(exc.start, len(piece) - 1))
    where = line + piece.count(b"\n", 0, at)
    return InvalidReportFile(
        f"line {where}: byte 0x{piece[at]:02x} is not valid {name} text; the file may mix text encodings "
        "(save it as UTF-8)"
    )
