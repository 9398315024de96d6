"""An upload sent with Transfer-Encoding: chunked, through a real gunicorn: a clear 411."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import running_stack

BOUNDARY = "reportflow-e2e"
BODY = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="sales.csv"\r\n'
    f"Content-Type: text/csv\r\n\r\nregion,amount\r\nnorth,10\r\n\r\n--{BOUNDARY}--\r\n"
).encode()


def in_pieces(data: bytes, size: int = 16) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.slow
def test_a_chunked_upload_gets_a_411_problem_and_the_same_upload_with_a_length_is_accepted(tmp_path: Path) -> None:
    with running_stack(tmp_path / "var", workers=()) as stack, stack.client() as client:
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        # a generator body: httpx streams it with Transfer-Encoding: chunked and no Content-Length
        chunked = client.post("/api/v1/reports/", content=in_pieces(BODY), headers=headers)
        jobs_after_chunked = client.get("/api/v1/jobs/").json()["results"]
        with_length = client.post("/api/v1/reports/", content=BODY, headers=headers)

    assert chunked.request.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in chunked.request.headers
    assert chunked.status_code == 411, chunked.text
    assert chunked.headers["Content-Type"] == "application/problem+json"
    assert chunked.json()["type"] == "/problems/length-required"
    assert jobs_after_chunked == []
    assert with_length.status_code == 202, with_length.text
