from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBlob:
    key: str
    size_bytes: int


class BlobStore(Protocol):
    """Where uploaded files live. Streams in and out; never holds a whole file in memory."""

    def save(self, *, name_hint: str, content: BinaryIO) -> StoredBlob: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...
