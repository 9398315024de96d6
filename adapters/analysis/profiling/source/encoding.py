"""Decide a text file's encoding from a sample: BOM, strict UTF-8, else charset-normalizer."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

from domain.errors import InvalidReportFile

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Short samples often fit several code pages equally well; these are the likeliest in practice.
_PREFERRED = ("cp1252", "cp1251", "cp1250", "cp932", "gb18030", "big5", "euc_kr", "cp1253", "cp1254")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextEncoding:
    """A Python codec name and the length of the byte-order mark that precedes the text."""

    name: str
    bom: int

    @property
    def ascii_compatible(self) -> bool:
        """True when newline and quote bytes mean only themselves, so raw bytes can be split."""
        codec = codecs.lookup(self.name).name
        if codec.startswith(("utf-16", "utf-32", "utf-7")):
            return False
        return "\n\"',;\t|".encode(self.name) == b"\n\"',;\t|"


def detect_encoding(sample: bytes, *, complete: bool) -> TextEncoding:
    """Raises InvalidReportFile when the sample is binary or in no recognisable encoding."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return TextEncoding(name=name, bom=len(bom))
    if b"\x00" in sample:
        raise InvalidReportFile("the file is binary (it contains NUL bytes), not CSV, TSV or JSON Lines text")
    if _is_utf8(sample, complete=complete):
        return TextEncoding(name="utf-8", bom=0)
    _refuse_mixed_utf8(sample)
    name = _guess(sample)
    encoding = TextEncoding(name=name, bom=0)
    if not encoding.ascii_compatible:
        raise InvalidReportFile(f"the file looks like {name} text without a byte-order mark; save it as UTF-8")
    return encoding


def _refuse_mixed_utf8(sample: bytes) -> None:
    """More valid multi-byte UTF-8 characters than invalid bytes: two encodings in one file.

    Legacy code-page text almost never forms valid UTF-8 sequences, and binary noise forms
    them by chance only among many more invalid bytes.
    """
    decoded = sample.decode("utf-8", errors="replace")
    invalid = decoded.count("\ufffd")
    if sum(1 for char in decoded if char > "\x7f") - invalid < invalid:
        return
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = 1 + sample.count(b"\n", 0, exc.start)
        raise InvalidReportFile(
            f"line {line}: byte 0x{sample[exc.start]:02x} is not valid utf-8 text; the file may mix text encodings "
            "(save it as UTF-8)"
        ) from exc


def _guess(sample: bytes) -> str:
    """charset-normalizer's best guess; among equally good guesses, the most common legacy encoding."""
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        raise InvalidReportFile("the file is binary or in an unrecognised text encoding; save it as UTF-8")
    tied = {match.encoding for match in matches if (match.chaos, match.coherence) == (best.chaos, best.coherence)}
    return next((name for name in _PREFERRED if name in tied), best.encoding)


def _is_utf8(sample: bytes, *, complete: bool) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        return not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"
    return True
