"""How much text a sheet holds once its shared strings are filled in, counted before it is loaded.

A cell of type "s" holds an index into the workbook's shared strings table; the reader copies
the string into every cell that refers to it. A table of one long string and a sheet of a
million references to it is a small archive that decodes to gigabytes: the sheet is scanned
(streamed, never loaded) and the sum of the lengths of the strings its cells refer to is
compared with the budget.
"""

from __future__ import annotations

import re
import zipfile

import numpy as np
import numpy.typing as npt

from domain.errors import InvalidReportFile

from ..progress import Tick
from ..settings import MIB

SHARED_STRINGS = "xl/sharedStrings.xml"
_WORKSHEETS = re.compile(r"xl/worksheets/[^/]+\.xml")
_STRING_ITEM = re.compile(rb"<si\b.*?</si>|<si\s*/>", re.DOTALL)
_SHARED_CELL = re.compile(rb'<c\b[^>]*\bt="s"[^>]*>\s*<v>\s*(\d+)\s*</v>')
_PIECE = 4 * MIB
_CELL_END = b"</c>"


def check_shared_strings(archive: zipfile.ZipFile, budget: int, tick: Tick) -> None:
    """Raises InvalidReportFile when a worksheet's cells would expand past `budget` bytes of text."""
    names = archive.namelist()
    if SHARED_STRINGS not in names:
        return
    lengths = _string_lengths(archive.read(SHARED_STRINGS))
    for name in names:
        if not _WORKSHEETS.fullmatch(name):
            continue
        total = _referenced_bytes(archive, name, lengths, tick)
        if total > budget:
            raise InvalidReportFile(
                f"the sheet {name} would expand to {total / MIB:,.0f} MiB of text once its shared strings are "
                f"filled in; the limit is {budget / MIB:,.0f} MiB (a possible decompression bomb)"
            )


def _string_lengths(table: bytes) -> npt.NDArray[np.int64]:
    """An upper bound of each shared string's decoded size: the length of its XML item."""
    return np.fromiter((item.end() - item.start() for item in _STRING_ITEM.finditer(table)), dtype=np.int64)


def _referenced_bytes(archive: zipfile.ZipFile, name: str, lengths: npt.NDArray[np.int64], tick: Tick) -> int:
    total = 0
    carry = b""
    with archive.open(name) as stream:
        while piece := stream.read(_PIECE):
            data = carry + piece
            end = data.rfind(_CELL_END)  # scan whole cells only; the rest waits for the next piece
            cut = 0 if end < 0 else end + len(_CELL_END)
            total += _sum_of(data[:cut], lengths)
            carry = data[cut:]
            tick()
    return total + _sum_of(carry, lengths)


def _sum_of(data: bytes, lengths: npt.NDArray[np.int64]) -> int:
    found = _SHARED_CELL.findall(data)
    if not found:
        return 0
    indices = np.array(found).astype(np.int64)
    return int(lengths[indices[indices < len(lengths)]].sum())
