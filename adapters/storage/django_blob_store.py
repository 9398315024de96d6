"""BlobStore over Django's storage API: local disk by default, object storage by settings."""

from __future__ import annotations

import re
import uuid
from typing import BinaryIO, cast

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from domain.ports import StoredBlob

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DjangoBlobStore:
    def __init__(self, storage: Storage | None = None, *, prefix: str = "uploads") -> None:
        self._storage = storage or default_storage
        self._prefix = prefix

    def save(self, *, name_hint: str, content: BinaryIO) -> StoredBlob:
        # The client's file name is a hint only: it never decides where the file goes.
        safe = _UNSAFE.sub("_", name_hint.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:100].strip("._") or "upload"
        key = self._storage.save(f"{self._prefix}/{uuid.uuid4().hex}/{safe}", File(content))
        return StoredBlob(key=key, size_bytes=self._storage.size(key))

    def open(self, key: str) -> BinaryIO:
        return cast(BinaryIO, self._storage.open(key, "rb"))

    def delete(self, key: str) -> None:
        self._storage.delete(key)
