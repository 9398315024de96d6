"""Refuse a workbook that is not XLSX or would expand beyond the limits, before anyone unzips it."""

from __future__ import annotations

import zipfile

from domain.errors import InvalidReportFile

from ..progress import Tick, no_tick
from ..settings import MIB, EngineSettings
from .xlsx_strings import check_shared_strings

_MAX_MEMBERS = 10_000
_RATIO_FLOOR_BYTES = MIB  # small members may compress very well without being a threat
_OTHER_ZIPS = (
    ("word/document.xml", "a Word document (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("mimetype", "an OpenDocument file"),
)


def check_workbook(path: str, settings: EngineSettings, *, tick: Tick = no_tick) -> None:
    """Raises InvalidReportFile for a damaged or non-XLSX archive or a possible zip bomb.

    `tick` is called after every MiB inflated.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_is_xlsx({member.filename for member in members})
            _check_declared_sizes(members, settings)
            _check_actual_sizes(archive, members, tick)
            check_shared_strings(archive, settings.max_xlsx_decoded_bytes, tick)
    except zipfile.BadZipFile as exc:
        raise InvalidReportFile(f"the workbook is a damaged ZIP archive ({exc})") from exc


def _check_is_xlsx(names: set[str]) -> None:
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return
    description = next((text for marker, text in _OTHER_ZIPS if marker in names), "a ZIP archive")
    raise InvalidReportFile(f"the file is {description}, not an XLSX workbook")


def _check_declared_sizes(members: list[zipfile.ZipInfo], settings: EngineSettings) -> None:
    if len(members) > _MAX_MEMBERS:
        raise InvalidReportFile(f"the workbook holds {len(members)} files; at most {_MAX_MEMBERS} are accepted")
    total = sum(member.file_size for member in members)
    if total > settings.max_xlsx_uncompressed_bytes:
        raise InvalidReportFile(
            f"the workbook would expand to {total / MIB:,.0f} MiB; the limit is "
            f"{settings.max_xlsx_uncompressed_bytes / MIB:,.0f} MiB (a possible zip bomb)"
        )
    for member in members:
        if member.file_size <= _RATIO_FLOOR_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > settings.max_xlsx_ratio:
            raise InvalidReportFile(
                f"the workbook member {member.filename} expands {ratio:,.0f} times; the limit is "
                f"{settings.max_xlsx_ratio} (a possible zip bomb)"
            )


def _check_actual_sizes(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], tick: Tick) -> None:
    """Declared sizes can lie: zipfile stops at the declared size and checks the CRC on the way."""
    for member in members:
        with archive.open(member) as stream:
            while stream.read(MIB):
                tick()
