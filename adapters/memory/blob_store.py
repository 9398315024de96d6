from __future__ import annotations

import io
import uuid
from typing import BinaryIO

from domain.ports import StoredBlob


class InMemoryBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def save(self, *, name_hint: str, content: BinaryIO) -> StoredBlob:
        key = f"uploads/{uuid.uuid4().hex}/{name_hint}"
        self.blobs[key] = content.read()
        return StoredBlob(key=key, size_bytes=len(self.blobs[key]))

    def open(self, key: str) -> BinaryIO:
        try:
            return io.BytesIO(self.blobs[key])
        except KeyError:
            raise FileNotFoundError(key) from None

    def delete(self, key: str) -> None:
        self.blobs.pop(key, None)
