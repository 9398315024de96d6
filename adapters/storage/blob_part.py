"""A byte range of a stored blob, read as a file of its own."""

from __future__ import annotations

import io
from typing import Any, BinaryIO


class _Window(io.RawIOBase):
    """`length` bytes of something, as a file that starts at 0 and ends there: a response that
    asks its size (seek to the end, tell) gets the window's."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self._length = length
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        if base + position < 0:
            raise ValueError(f"negative seek position {base + position}")
        if base + position != self._position:
            self._position = base + position
            self._moved()
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._length - self._position)
        if wanted <= 0:
            return 0
        data = self._read(wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _read(self, size: int) -> bytes:
        """Up to `size` bytes from the current position."""
        raise NotImplementedError

    def _moved(self) -> None:
        """The position changed by a seek."""


class BlobPart(_Window):
    """Reads `length` bytes of an open `file` from `offset` (to its end when None). Closing it
    closes the file."""

    def __init__(self, file: BinaryIO, *, offset: int, length: int | None) -> None:
        if length is None:
            length = max(0, file.seek(0, io.SEEK_END) - offset)
        super().__init__(length)
        self._file = file
        self._offset = offset
        file.seek(offset)

    def _read(self, size: int) -> bytes:
        return self._file.read(size)

    def _moved(self) -> None:
        self._file.seek(self._offset + self._position)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


class ObjectRange(_Window):
    """A byte range of an object in S3-compatible storage (a boto3 `Object`), fetched with an
    HTTP range request on the first read, and again after a seek: the rest of the object is
    never downloaded."""

    def __init__(self, obj: Any, *, offset: int, length: int | None) -> None:
        if length is None:
            length = max(0, int(obj.content_length) - offset)
        super().__init__(length)
        self._obj = obj
        self._offset = offset
        self._body: Any = None

    def _read(self, size: int) -> bytes:
        if self._body is None:
            first, last = self._offset + self._position, self._offset + self._length - 1
            self._body = self._obj.get(Range=f"bytes={first}-{last}")["Body"]
        return bytes(self._body.read(size))

    def _moved(self) -> None:
        self._drop_body()

    def close(self) -> None:
        self._drop_body()
        super().close()

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
