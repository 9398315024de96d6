"""The upload handlers: a small upload stays in memory, a larger one goes to a temporary file,
and either is refused past the limit while it streams."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile, TemporaryUploadedFile
from django.http import HttpRequest
from django.test import RequestFactory

from adapters.api.upload_limit import limited_upload_handlers
from application.errors import UploadTooLarge

CSV = b"id,amount\n1,10.5\n2,20.25\n"


def parsed_upload(content: bytes, *, limit_bytes: int) -> Any:
    request: HttpRequest = RequestFactory().post("/api/v1/reports/", {"file": SimpleUploadedFile("a.csv", content)})
    request.upload_handlers = limited_upload_handlers(request, limit_bytes=limit_bytes)
    return request.FILES["file"]


def test_a_small_upload_stays_in_memory() -> None:
    upload = parsed_upload(CSV, limit_bytes=1000)

    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.read() == CSV


def test_an_upload_larger_than_the_memory_threshold_streams_to_a_temporary_file(settings: Any) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    content = CSV * 20

    upload = parsed_upload(content, limit_bytes=10_000)

    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.read() == content


@pytest.mark.parametrize("memory_threshold", [100, 1_000_000])
def test_an_upload_over_the_limit_is_refused_while_it_streams(settings: Any, memory_threshold: int) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_threshold

    with pytest.raises(UploadTooLarge):
        parsed_upload(CSV * 20, limit_bytes=100)
