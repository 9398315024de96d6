"""A BlobStore that keeps small blobs in the database and hands the rest to another store.

A finished report's documents (its result, page and tables in one blob) are a few kilobytes
for most files, whatever their rows: as a file, each costs a file created on local disk or a
request to object storage, per job. As a row, it is one more statement in the transaction
that records the attempt (it travels with the next one, see DeferredWrites): the documents
are then written exactly when the attempt's end commits, and a rolled-back attempt leaves
none behind. It is not free: `bench.hot_calls` puts the row at about 0.5 ms of an attempt's
end, and a file at 0.1 to 0.8 ms, moving with the disk from minute to minute.

Only what the caller saves through this store is kept here, and only up to `limit` bytes;
uploads, which the workers read from a local path, are saved to files (see the container).
Keys of rows start with `KEY_PREFIX`, which no key of the other store has (those start with
the folder the caller names, "uploads/..." or "results/..."), so every other key is passed on.
"""

from __future__ import annotations

import io
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import BinaryIO

from django.db.models import QuerySet

from adapters.orm.models import SmallBlobRecord
from adapters.orm.statements import Table
from domain.ports import BlobStore, StoredBlob

KEY_PREFIX = "db:"
_SMALL_BLOBS = Table(SmallBlobRecord)


class SmallBlobsInDatabase:
    def __init__(self, files: BlobStore, *, limit: int) -> None:
        self._files = files
        self._limit = limit  # 0: every blob goes to files

    def save(self, *, name_hint: str, content: BinaryIO, prefix: str = "uploads") -> StoredBlob:
        # a stream that cannot seek back goes to files unread: its size is unknown beforehand
        if self._limit and content.seekable():
            start = content.tell()
            data = content.read(self._limit + 1)
            if len(data) <= self._limit:
                row = uuid.uuid4()
                _SMALL_BLOBS.insert([{"id": row, "data": data, "created_at": datetime.now(UTC)}])
                return StoredBlob(key=f"{KEY_PREFIX}{row.hex}", size_bytes=len(data))
            content.seek(start)
        return self._files.save(name_hint=name_hint, content=content, prefix=prefix)

    def open(self, key: str, *, offset: int = 0, length: int | None = None) -> BinaryIO:
        if not key.startswith(KEY_PREFIX):
            return self._files.open(key, offset=offset, length=length)
        row = _rows(key).values_list("data", flat=True).first()
        if row is None:
            raise FileNotFoundError(key)
        data = bytes(row)
        return io.BytesIO(data[offset : None if length is None else offset + length])

    @contextmanager
    def local_path(self, key: str) -> Iterator[str]:
        if not key.startswith(KEY_PREFIX):
            with self._files.local_path(key) as path:
                yield path
            return
        with tempfile.TemporaryDirectory(prefix="reportflow-blob-") as folder:
            path = os.path.join(folder, "blob")
            with self.open(key) as blob, open(path, "wb") as copy:
                copy.write(blob.read())
            yield path

    def delete(self, key: str) -> None:
        if key.startswith(KEY_PREFIX):
            _rows(key).delete()
        else:
            self._files.delete(key)

    def exists(self, key: str) -> bool:
        if key.startswith(KEY_PREFIX):
            return _rows(key).exists()
        return self._files.exists(key)


def _rows(key: str) -> QuerySet[SmallBlobRecord]:
    """The row of a key of this store (none for a key that names no row)."""
    try:
        row = uuid.UUID(hex=key.removeprefix(KEY_PREFIX))
    except ValueError:
        return SmallBlobRecord.objects.none()
    return SmallBlobRecord.objects.filter(id=row)
