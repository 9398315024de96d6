"""Decide a file's format from its content (never its name) and how to read it."""

from __future__ import annotations

import codecs
import json
import os

from domain.errors import InvalidReportFile

from ..progress import Tick, no_tick
from ..settings import EngineSettings
from .dialect import parse_header, sniff_dialect
from .encoding import TextEncoding, detect_encoding
from .magic import PARQUET_MAGIC, ZIP_MAGICS, describe_binary
from .source_info import SourceInfo

_HEAD_BYTES = 64 * 1024
_CONTROL_LIMIT = 0.01
_CONTROLS = {code: None for code in range(32) if chr(code) not in "\t\r\n"}
_SUPPORTED = "CSV, TSV, JSON Lines, Parquet or XLSX"


def sniff(path: str, settings: EngineSettings, *, tick: Tick = no_tick) -> SourceInfo:
    """Raises InvalidReportFile for empty, binary, unsupported or malformed content.

    `tick` is called while a workbook is checked, which reads every member of its archive.
    """
    size = os.path.getsize(path)
    if size == 0:
        raise InvalidReportFile("the file is empty (0 bytes)")
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    # Parquet's and XLSX's readers load pyarrow: they are imported for such a file only (see read.py).
    if head.startswith(PARQUET_MAGIC):
        from .parquet_reader import describe_parquet

        return describe_parquet(path, size, settings)
    if head.startswith(ZIP_MAGICS):
        from .xlsx_reader import describe_workbook

        return describe_workbook(path, size, settings, tick=tick)
    description = describe_binary(head)
    if description is not None:
        raise InvalidReportFile(f"the file is {description}, not a report ({_SUPPORTED})")
    return _describe_text(path, size, head, settings)


def _describe_text(path: str, size: int, head: bytes, settings: EngineSettings) -> SourceInfo:
    encoding = detect_encoding(head, complete=size <= len(head))
    text = _decode(head[encoding.bom :], encoding, final=size <= len(head))
    if len(text) - len(text.translate(_CONTROLS)) > _CONTROL_LIMIT * max(len(text), 1):
        raise InvalidReportFile(f"the file is binary (too many control characters), not {_SUPPORTED}")
    if not text.strip():
        raise InvalidReportFile("the file holds only blank space, no header row")
    if "\n" not in text and "\r" in text.rstrip("\r"):
        raise InvalidReportFile(
            "the lines end with a bare carriage return (classic Mac); save the file with LF or CRLF"
        )
    first = text.lstrip()[:1]
    if first == "{":
        return _describe_jsonl(text, size, encoding, final=size <= len(head))
    if first == "[" and _looks_like_json_array(text):
        raise InvalidReportFile("the file is a JSON array; send JSON Lines instead (one JSON object per line)")
    return _describe_delimited(path, size, text, encoding, settings)


def _describe_jsonl(text: str, size: int, encoding: TextEncoding, *, final: bool) -> SourceInfo:
    number, line = next((n, item) for n, item in enumerate(text.split("\n"), start=1) if item.strip())
    # A first record longer than the sample is checked later, when the file is read.
    if final or text.count("\n") >= number:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidReportFile(f"line {number} starts like JSON but is not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise InvalidReportFile(f"line {number}: JSON Lines records must be JSON objects")
    return SourceInfo(format="jsonl", size=size, encoding=encoding.name, bom=encoding.bom, data_start=encoding.bom)


def _describe_delimited(
    path: str, size: int, text: str, encoding: TextEncoding, settings: EngineSettings
) -> SourceInfo:
    read = _HEAD_BYTES
    while True:
        start = len(text) - len(text.lstrip("\r\n"))
        end = _record_end(text, start)
        if end >= 0 or read >= size:
            break
        if read >= settings.max_record_bytes:
            raise InvalidReportFile(f"the header row is longer than {settings.max_record_bytes // 2**20} MiB")
        read = min(size, read * 4)
        with open(path, "rb") as handle:
            text = _decode(handle.read(read)[encoding.bom :], encoding, final=read >= size)
    header_end = len(text) if end < 0 else end
    dialect = sniff_dialect(text[start:], complete=read >= size)
    if dialect.quote is None and end >= 0:
        header_end = text.index("\n", start)
    columns = parse_header(text[start:header_end], dialect)
    if len(columns) > settings.max_columns:
        raise InvalidReportFile(
            f"the file has {len(columns):,} columns; at most {settings.max_columns:,} are supported"
        )
    consumed = text[: header_end + 1] if header_end < len(text) else text
    return SourceInfo(
        format="tsv" if dialect.delimiter == "\t" else "csv",
        size=size,
        encoding=encoding.name,
        bom=encoding.bom,
        delimiter=dialect.delimiter,
        quote=dialect.quote,
        columns=columns,
        data_start=min(size, encoding.bom + len(consumed.encode(encoding.name))),
        first_line=1 + consumed.count("\n"),
    )


def _record_end(text: str, start: int) -> int:
    """Index of the newline ending the record that starts at `start` (quotes respected), or -1."""
    quotes = 0
    position = start
    while True:
        newline = text.find("\n", position)
        if newline < 0:
            return -1
        quotes += text.count('"', position, newline)
        if quotes % 2 == 0:
            return newline
        position = newline + 1


def _looks_like_json_array(text: str) -> bool:
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if first_line in ("[", "[]") or first_line.startswith(("[{", '["', "[[")):
        return True
    try:
        return isinstance(json.loads(first_line), list)
    except json.JSONDecodeError:
        return False


def _decode(data: bytes, encoding: TextEncoding, *, final: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding.name)(errors="strict")
    try:
        return decoder.decode(data, final=final)
    except UnicodeDecodeError as exc:
        line = 1 + data.count(b"\n", 0, exc.start)
        raise InvalidReportFile(
            f"line {line}: byte 0x{data[exc.start]:02x} is not valid {encoding.name} text; the file may mix "
            "text encodings (save it as UTF-8)"
        ) from exc
