"""Uploads on local disk: a large upload Django streamed to a temporary file is moved into
storage, not copied; a small one held in memory is written. A part of a blob (a result's
document in the blob its documents share) reads and responds as a file of its own."""

from __future__ import annotations

import io
import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import FileResponse

from adapters.storage.django_blob_store import DjangoBlobStore


def test_an_upload_in_a_temporary_file_is_moved_into_storage(tmp_path: Path) -> None:
    store = DjangoBlobStore(FileSystemStorage(location=tmp_path / "media"))
    content = os.urandom(100_000)
    upload = TemporaryUploadedFile("big.csv", "text/csv", len(content), None)
    upload.write(content)
    upload.seek(0)
    temporary = upload.temporary_file_path()

    stored = store.save(name_hint="big.csv", content=upload)
    moved = not os.path.exists(temporary)
    upload.close()

    assert moved, "moved, not copied"
    assert (tmp_path / "media" / stored.key).read_bytes() == content
    assert stored.size_bytes == len(content)


def test_an_upload_in_memory_is_written(tmp_path: Path) -> None:
    store = DjangoBlobStore(FileSystemStorage(location=tmp_path / "media"))

    stored = store.save(name_hint="../small.csv", content=io.BytesIO(b"a\n1\n"))

    assert stored.key.startswith("uploads/") and stored.key.endswith("-small.csv")
    assert (tmp_path / "media" / stored.key).read_bytes() == b"a\n1\n"


def test_blobs_of_one_prefix_share_its_folder(tmp_path: Path) -> None:
    store = DjangoBlobStore(FileSystemStorage(location=tmp_path / "media"))

    keys = [
        store.save(name_hint=f"{name}.csv", content=io.BytesIO(b"a\n1\n"), prefix="results/r1").key for name in "abc"
    ]

    assert {key.rsplit("/", 1)[0] for key in keys} == {"results/r1"}
    assert [path.name for path in (tmp_path / "media").rglob("*") if path.is_dir()] == ["results", "r1"]


def test_a_part_of_a_blob_reads_as_a_file_of_its_own_and_a_response_sends_only_it(tmp_path: Path) -> None:
    store = DjangoBlobStore(FileSystemStorage(location=tmp_path / "media"))
    key = store.save(name_hint="parts", content=io.BytesIO(b"{json}<html>a,b\r\n"), prefix="results").key

    whole = store.open(key).read()
    middle = store.open(key, offset=6, length=6)
    tail = store.open(key, offset=12)
    response = FileResponse(store.open(key, offset=6, length=6), content_type="text/html")

    assert whole == b"{json}<html>a,b\r\n"
    assert (middle.read(4), middle.tell(), middle.read(), middle.read()) == (b"<htm", 4, b"l>", b"")
    assert (middle.seek(-3, io.SEEK_END), middle.read()) == (3, b"ml>")
    assert tail.read() == b"a,b\r\n"
    assert response["Content-Length"] == "6"
    assert b"".join(response.streaming_content) == b"<html>"
    response.file_to_stream.close()  # what the response's close does, without its request signal
    assert middle.seek(0) == 0 and middle.readable()
    middle.close()
    assert middle.closed
