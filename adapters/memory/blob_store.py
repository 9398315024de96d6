from __future__ import annotations

import io
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from domain.ports import StoredBlob


class InMemoryBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def save(self, *, name_hint: str, content: BinaryIO, prefix: str = "uploads") -> StoredBlob:
        key = f"{prefix}/{uuid.uuid4().hex}-{name_hint}"
        self.blobs[key] = content.read()
        return StoredBlob(key=key, size_bytes=len(self.blobs[key]))

    def open(self, key: str, *, offset: int = 0, length: int | None = None) -> BinaryIO:
        try:
            blob = self.blobs[key]
        except KeyError:
            raise FileNotFoundError(key) from None
        return io.BytesIO(blob[offset : None if length is None else offset + length])

    @contextmanager
    def local_path(self, key: str) -> Iterator[str]:
        with tempfile.TemporaryDirectory(prefix="reportflow-blob-") as folder:
            path = os.path.join(folder, "blob")
            with open(path, "wb") as copy:
                copy.write(self.open(key).read())
            yield path

    def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self.blobs
