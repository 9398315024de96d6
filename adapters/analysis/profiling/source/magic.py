"""Recognise binary files by their leading bytes, so a PNG named .csv gets a precise refusal."""

from __future__ import annotations

PARQUET_MAGIC = b"PAR1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# Only signatures with non-text bytes: a text header that happens to start with "BZh" or
# "MZ" must still be read as CSV.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Excel .xls (OLE2) file; save it as .xlsx"),
    (b"\x7fELF", "an executable"),
    (b"ARROW1", "an Arrow IPC file"),
    (b"Obj\x01", "an Avro file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def describe_binary(head: bytes) -> str | None:
    """Name the kind of binary file `head` starts, or None when no known signature matches."""
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    return None
