from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBlob:
    key: str
    size_bytes: int


class BlobStore(Protocol):
    """Where uploaded files and results live. Streams in and out; never holds a whole file in
    memory, but for a small one an adapter keeps whole (adapters/orm/small_blobs.py)."""

    def save(self, *, name_hint: str, content: BinaryIO, prefix: str = "uploads") -> StoredBlob:
        """Store under the folder `prefix`, with a name of the store's choosing (unique, ending
        with a cleaned `name_hint`). Blobs share their prefix's folder: on local disk a new
        folder per blob would cost a directory creation on every save."""

    def open(self, key: str, *, offset: int = 0, length: int | None = None) -> BinaryIO:
        """Read the blob, or only `length` bytes of it from `offset` (to its end when None): a
        file that starts, ends and reports its size there."""

    def local_path(self, key: str) -> AbstractContextManager[str]:
        """A path on local disk with the blob's bytes, for readers that need to seek
        (a copy for remote storage, removed afterwards)."""

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...
