"""BlobStore over Django's storage API: local disk by default, object storage by settings."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO, cast

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from adapters.storage.blob_part import BlobPart, ObjectRange
from domain.ports import StoredBlob

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_COPY_PIECE = 1024 * 1024


class _TemporaryFile(File):
    """An upload Django streamed to a temporary file: local storage moves it instead of copying."""

    def __init__(self, upload: Any) -> None:
        super().__init__(upload)
        self._path = str(upload.temporary_file_path())

    def temporary_file_path(self) -> str:
        return self._path


def _as_file(content: BinaryIO) -> File:
    # only the path shows through: the client's content type and name must not reach storage
    return _TemporaryFile(content) if hasattr(content, "temporary_file_path") else File(content)


class DjangoBlobStore:
    def __init__(self, storage: Storage | None = None) -> None:
        self._storage = storage or default_storage

    def save(self, *, name_hint: str, content: BinaryIO, prefix: str = "uploads") -> StoredBlob:
        # The client's file name is a hint only: it never decides where the file goes.
        safe = _UNSAFE.sub("_", name_hint.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:100].strip("._") or "upload"
        key = self._storage.save(f"{prefix}/{uuid.uuid4().hex}-{safe}", _as_file(content))
        return StoredBlob(key=key, size_bytes=self._storage.size(key))

    def open(self, key: str, *, offset: int = 0, length: int | None = None) -> BinaryIO:
        file = cast(BinaryIO, self._storage.open(key, "rb"))
        if offset == 0 and length is None:
            return file
        stored = getattr(file, "obj", None)  # django-storages' S3File, which would download it all
        if stored is not None and hasattr(stored, "get"):
            file.close()
            return cast(BinaryIO, ObjectRange(stored, offset=offset, length=length))
        return cast(BinaryIO, BlobPart(file, offset=offset, length=length))

    @contextmanager
    def local_path(self, key: str) -> Iterator[str]:
        try:
            path = self._storage.path(key)  # local disk: read it where it is
        except NotImplementedError:
            path = ""
        if path:
            yield path
            return
        # object storage: stream a copy to local disk, in pieces
        with tempfile.TemporaryDirectory(prefix="reportflow-blob-") as folder:
            path = os.path.join(folder, "blob")
            with self._storage.open(key, "rb") as remote, open(path, "wb") as local:
                shutil.copyfileobj(remote, local, _COPY_PIECE)
            yield path

    def delete(self, key: str) -> None:
        self._storage.delete(key)

    def exists(self, key: str) -> bool:
        return bool(self._storage.exists(key))
