from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from adapters.orm import api_tokens
from application.attempts import RunAttempt
from config.container import container


@pytest.fixture
def task_queue() -> Iterator[InMemoryTaskQueue]:
    queue = InMemoryTaskQueue()
    with container.task_queue.override(queue):
        yield queue


def client_for(username: str) -> APIClient:
    user, _ = api_tokens.user_named(username)
    _, token = api_tokens.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def alice(db: None, task_queue: InMemoryTaskQueue) -> APIClient:
    return client_for("alice")


@pytest.fixture
def bob(db: None, task_queue: InMemoryTaskQueue) -> APIClient:
    return client_for("bob")


@pytest.fixture
def run_worker(task_queue: InMemoryTaskQueue, django_capture_on_commit_callbacks: Any):  # type: ignore[no-untyped-def]
    """Process every delivery enqueued so far, in-process, through the real use case."""

    def run() -> None:
        while task_queue.deliveries:
            delivery = task_queue.deliveries.pop(0)
            handler = {
                "report.process": container.process_report,
                "report.chunk": container.process_chunk,
                "report.merge": container.merge_report,
            }[delivery.kind]()
            with django_capture_on_commit_callbacks(execute=True):
                handler(RunAttempt(job_id=delivery.job_id, attempt=delivery.attempt, worker="test-worker"))

    return run


@pytest.fixture
def upload(alice: APIClient, django_capture_on_commit_callbacks: Any):  # type: ignore[no-untyped-def]
    def post(content: bytes = b"a,b\n1,2\n3,\n", client: APIClient | None = None, **extra: Any) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        with django_capture_on_commit_callbacks(execute=True):
            return (client or alice).post(
                "/api/v1/reports/", {"file": SimpleUploadedFile("data.csv", content), **extra}, format="multipart"
            )

    return post
