"""Refuse an oversized upload before it is read: by Content-Length, then while streaming."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import HttpRequest

from application.errors import UploadTooLarge

# multipart framing and the small form fields around the file
_ENVELOPE_BYTES = 64 * 1024


def limited_upload_handlers(request: HttpRequest, *, limit_bytes: int) -> list[FileUploadHandler]:
    """Django's own handlers behind the limit: a request body up to FILE_UPLOAD_MAX_MEMORY_SIZE
    stays in memory (no temporary file to create and remove), a larger one streams to a
    temporary file; memory stays bounded either way."""
    return [
        LimitedUploadHandler(request, limit_bytes=limit_bytes),
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]


class LimitedUploadHandler(FileUploadHandler):
    """Counts what streams through to the handlers after it and stops at the limit."""

    def __init__(self, *args: Any, limit_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_bytes = limit_bytes
        self._received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,  # noqa: N803 - the name is Django's
        content_length: int,
        boundary: Any,
        encoding: Any = None,
    ) -> None:
        if content_length and content_length > self.limit_bytes + _ENVELOPE_BYTES:
            raise UploadTooLarge(content_length, self.limit_bytes)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > self.limit_bytes:
            raise UploadTooLarge(self._received, self.limit_bytes)
        return raw_data  # the next handler keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
