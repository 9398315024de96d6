"""Small blobs in the database: up to the limit a blob is a row written with the caller's
transaction; a larger one, or one that cannot be measured first, goes to the file store, and
every key of that store is passed on to it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import connection

from adapters.memory import InMemoryBlobStore
from adapters.orm.models import SmallBlobRecord
from adapters.orm.small_blobs import KEY_PREFIX, SmallBlobsInDatabase
from adapters.orm.unit_of_work import DjangoUnitOfWork
from tests.integration.test_deferred_writes import sent_statements

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 1024


class _Stream(io.RawIOBase):
    """A stream that cannot seek (a socket, a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        return self._data.readinto(buffer)


@pytest.fixture
def files() -> InMemoryBlobStore:
    return InMemoryBlobStore()


@pytest.fixture
def blobs(files: InMemoryBlobStore) -> SmallBlobsInDatabase:
    return SmallBlobsInDatabase(files, limit=LIMIT)


def test_a_blob_up_to_the_limit_is_a_row_and_reads_back_whole_or_in_ranges(
    blobs: SmallBlobsInDatabase, files: InMemoryBlobStore
) -> None:
    data = bytes(range(256)) * 4  # exactly the limit

    stored = blobs.save(name_hint="documents", content=io.BytesIO(data), prefix="results/2026")

    assert stored.key.startswith(KEY_PREFIX) and stored.size_bytes == LIMIT
    assert files.blobs == {}
    assert bytes(SmallBlobRecord.objects.get(id=stored.key.removeprefix(KEY_PREFIX)).data) == data
    assert blobs.open(stored.key).read() == data
    assert blobs.open(stored.key, offset=10, length=5).read() == data[10:15]
    assert blobs.open(stored.key, offset=1000).read() == data[1000:]
    assert blobs.exists(stored.key)
    with blobs.local_path(stored.key) as path:
        assert Path(path).read_bytes() == data


def test_a_larger_blob_goes_to_the_files_whole_from_where_the_stream_stood(
    blobs: SmallBlobsInDatabase, files: InMemoryBlobStore
) -> None:
    content = io.BytesIO(b"skipped" + b"x" * LIMIT + b"end")
    content.seek(len("skipped"))

    stored = blobs.save(name_hint="big.csv", content=content, prefix="results")

    assert not stored.key.startswith(KEY_PREFIX) and stored.key.startswith("results/")
    assert files.blobs[stored.key] == b"x" * LIMIT + b"end"
    assert blobs.open(stored.key, offset=LIMIT).read() == b"end"
    assert SmallBlobRecord.objects.count() == 0


def test_a_stream_that_cannot_seek_goes_to_the_files_unread(
    blobs: SmallBlobsInDatabase, files: InMemoryBlobStore
) -> None:
    stored = blobs.save(name_hint="piped", content=io.BufferedReader(_Stream(b"small")))

    assert files.blobs[stored.key] == b"small"


def test_limit_zero_keeps_every_blob_in_the_files(files: InMemoryBlobStore) -> None:
    stored = SmallBlobsInDatabase(files, limit=0).save(name_hint="tiny", content=io.BytesIO(b"a"))

    assert files.blobs[stored.key] == b"a"


def test_delete_and_exists_answer_for_either_kind_of_key(blobs: SmallBlobsInDatabase, files: InMemoryBlobStore) -> None:
    row = blobs.save(name_hint="small", content=io.BytesIO(b"s")).key
    file = files.save(name_hint="upload.csv", content=io.BytesIO(b"u")).key

    assert blobs.exists(row) and blobs.exists(file)
    with blobs.local_path(file) as path:
        assert Path(path).read_bytes() == b"u"
    blobs.delete(row)
    blobs.delete(file)

    assert not blobs.exists(row) and not blobs.exists(file)
    assert SmallBlobRecord.objects.count() == 0 and files.blobs == {}
    with pytest.raises(FileNotFoundError):
        blobs.open(row)
    assert not blobs.exists(f"{KEY_PREFIX}not-a-row")


def test_a_row_saved_in_a_unit_of_work_travels_with_its_next_statement_and_commits_with_it(
    blobs: SmallBlobsInDatabase,
) -> None:
    with DjangoUnitOfWork() as uow:
        with sent_statements() as sent:
            kept = blobs.save(name_hint="kept", content=io.BytesIO(b"kept")).key
            assert sent == []  # it waits for the next statement
            seen = SmallBlobRecord.objects.count()  # the next statement sees it
        assert seen == 1
        assert len(sent) == 1 and sent[0].startswith('INSERT INTO "small_blob"'), sent
        uow.commit()
    assert blobs.open(kept).read() == b"kept"


def test_a_row_saved_in_a_unit_of_work_that_does_not_commit_is_never_written(
    blobs: SmallBlobsInDatabase,
) -> None:
    with DjangoUnitOfWork():
        lost = blobs.save(name_hint="lost", content=io.BytesIO(b"lost")).key

    assert not blobs.exists(lost)


def test_the_bytes_of_rows_are_compressed_with_lz4_on_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'small_blob'::regclass AND attname = 'data'"
        )
        assert cursor.fetchone() == ("l",)
