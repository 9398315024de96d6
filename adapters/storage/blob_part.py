"""A byte range of an open blob, read as a file of its own."""

from __future__ import annotations

import io
from typing import BinaryIO


class BlobPart(io.RawIOBase):
    """Reads `length` bytes of `file` from `offset` (to its end when None) as a file that starts
    at 0 and ends there: a response that asks its size (seek to the end, tell) gets the part's.
    Closing it closes the file."""

    def __init__(self, file: BinaryIO, *, offset: int, length: int | None) -> None:
        super().__init__()
        self._file = file
        self._offset = offset
        if length is None:
            length = max(0, file.seek(0, io.SEEK_END) - offset)
        self._length = length
        self._position = 0
        file.seek(offset)

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
        self._position = base + position
        self._file.seek(self._offset + self._position)
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._length - self._position)
        if wanted <= 0:
            return 0
        data = self._file.read(wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()
