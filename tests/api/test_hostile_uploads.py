"""Hostile and broken files through the whole pipeline: a clear message, a `failed` job, no retries."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from rest_framework.test import APIClient


def zip_bomb_workbook() -> bytes:
    """An XLSX whose one sheet inflates a thousandfold: refused before it is opened."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    return buffer.getvalue()


def parquet_with_a_corrupt_footer() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"a": list(range(100))}).write_parquet(buffer)
    data = bytearray(buffer.getvalue())
    footer_length = int.from_bytes(data[-8:-4], "little")
    data[-8 - footer_length : -8] = b"\xff" * footer_length
    return bytes(data)


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "binary garbage": (lambda: bytes(range(256)) * 40, "binary"),
    "a PNG named .csv": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "the file is a PNG image"),
    "unbalanced quotes": (
        lambda: b'a,b\n1,ok\n2,"never closed\n3,x\n',
        "line 3: a quoted field opens here and never closes (unbalanced quotes)",
    ),
    "10,000 columns": (
        lambda: (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n").encode(),
        "the file has 10,000 columns; at most 1,000 are supported",
    ),
    "mixed encodings": (
        lambda: ("name\n" + "José\n" * 30_000).encode() + "Zoë\n".encode("cp1252"),
        "line 30002: byte 0xeb is not valid utf-8 text",
    ),
    "a zip-bomb XLSX": (zip_bomb_workbook, "expands"),
    "a Parquet file with a corrupt footer": (parquet_with_a_corrupt_footer, "footer is corrupt"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_fails_its_job_with_a_specific_message_after_one_attempt(
    upload: Any, alice: APIClient, run_worker: Any, case: str
) -> None:
    make, expected = HOSTILE[case]
    accepted = upload(make())

    run_worker()

    assert accepted.status_code == 202
    job = alice.get(accepted.json()["links"]["self"]).json()
    assert job["status"] == "failed", job
    assert expected in job["error"]
    assert job["attempts"] == 1


def test_ragged_rows_are_counted_not_fatal(upload: Any, alice: APIClient, run_worker: Any) -> None:
    accepted = upload(b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n").json()

    run_worker()

    report = alice.get(accepted["links"]["report"]).json()
    assert report["status"] == "succeeded"
    assert report["summary"] == {"rows": 4, "columns": 3}
