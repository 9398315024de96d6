"""Uploads and results on S3-compatible storage (django-storages), against moto's S3 in-process."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import boto3
import pytest
from django.http import FileResponse
from moto import mock_aws
from storages.backends.s3 import S3Storage

from adapters.storage.django_blob_store import DjangoBlobStore

BUCKET = "reportflow-test"


@pytest.fixture
def s3_store() -> Iterator[DjangoBlobStore]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield DjangoBlobStore(S3Storage(bucket_name=BUCKET, region_name="us-east-1", file_overwrite=False))


def test_a_blob_round_trips_through_object_storage(s3_store: DjangoBlobStore) -> None:
    content = os.urandom(6 * 1024 * 1024)  # above boto3's multipart threshold: streamed in parts

    stored = s3_store.save(name_hint="../../etc/big.csv", content=io.BytesIO(content))
    with s3_store.open(stored.key) as handle:
        read_back = handle.read()

    assert stored.key.startswith("uploads/") and stored.key.endswith("-big.csv")
    assert stored.size_bytes == len(content)
    assert read_back == content


def test_readers_that_seek_get_a_local_copy_that_is_removed_afterwards(s3_store: DjangoBlobStore) -> None:
    stored = s3_store.save(name_hint="r.json", content=io.BytesIO(b'{"summary": {}}'), prefix="results")

    with s3_store.local_path(stored.key) as path:
        with open(path, "rb") as local:
            copied = local.read()
        existed = os.path.exists(path)

    assert stored.key.startswith("results/")
    assert (copied, existed, os.path.exists(path)) == (b'{"summary": {}}', True, False)


def test_deleting_a_blob_removes_it(s3_store: DjangoBlobStore) -> None:
    stored = s3_store.save(name_hint="x.csv", content=io.BytesIO(b"a\n1\n"))

    s3_store.delete(stored.key)

    with pytest.raises(FileNotFoundError):
        s3_store.open(stored.key).read()


def test_a_part_of_a_blob_is_fetched_alone_from_object_storage(s3_store: DjangoBlobStore) -> None:
    stored = s3_store.save(name_hint="documents", content=io.BytesIO(b"{json}<html>a,b\r\n"), prefix="results")
    fetched: list[str | None] = []
    events = s3_store._storage.connection.meta.client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.s3.GetObject", lambda params, **_: fetched.append(params.get("Range")))

    middle = s3_store.open(stored.key, offset=6, length=6)
    response = FileResponse(middle, content_type="text/html")
    body = b"".join(response.streaming_content)
    response.file_to_stream.close()  # what the response's close does, without its request signal
    with s3_store.open(stored.key, offset=12) as tail:
        rest = tail.read()

    assert (body, response["Content-Length"], rest) == (b"<html>", "6", b"a,b\r\n")
    assert fetched == ["bytes=6-11", "bytes=12-16"]  # only the parts' bytes, never the whole blob


def test_a_part_read_again_from_another_position_asks_for_the_bytes_from_there(s3_store: DjangoBlobStore) -> None:
    stored = s3_store.save(name_hint="documents", content=io.BytesIO(b"{json}<html>a,b\r\n"), prefix="results")

    with s3_store.open(stored.key, offset=6, length=6) as middle:
        start = middle.read(3)
        middle.seek(1)
        again = middle.read()
        size = (middle.seek(0, io.SEEK_END), middle.read())

    assert (start, again, size) == (b"<ht", b"html>", (6, b""))
