from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from adapters.orm import api_tokens
from application.jobs.pipeline import RunAttempt
from application.reports.output import ReportProcessing
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

    def run(worker: str = "test-worker") -> None:
        while task_queue.deliveries:
            delivery = task_queue.deliveries.pop(0)
            with django_capture_on_commit_callbacks(execute=True):
                container.attempt_pipeline()(
                    RunAttempt(job_id=delivery.job_id, attempt=delivery.attempt, worker=worker)
                )

    return run


def relay_due_retries() -> None:
    """Make every scheduled retry due now and run the relay's schedule (admission, then relay)."""
    from django.test import TestCase

    from adapters.orm.models import JobRecord

    JobRecord.objects.filter(status="retrying").update(next_attempt_at="2000-01-01T00:00:00Z")
    with TestCase.captureOnCommitCallbacks(execute=True):
        container.dispatch_waiting()()
        container.outbox_dispatcher().relay()


@pytest.fixture
def upload(alice: APIClient, django_capture_on_commit_callbacks: Any):  # type: ignore[no-untyped-def]
    def post(content: bytes = b"a,b\n1,2\n3,\n", client: APIClient | None = None, **extra: Any) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        with django_capture_on_commit_callbacks(execute=True):
            return (client or alice).post(
                "/api/v1/reports/", {"file": SimpleUploadedFile("data.csv", content), **extra}, format="multipart"
            )

    return post


@pytest.fixture
def upload_fanned_out(upload: Any, run_worker: Any) -> Any:
    """Upload a report split into chunk jobs (and a merge), process it all; the 202's body."""

    def post() -> dict[str, Any]:
        rows = b"n,name\n" + b"".join(b"%d,name-%d\n" % (i, i) for i in range(300))
        with container.processing.override(ReportProcessing(fan_out_bytes=1024, chunk_bytes=1024)):
            accepted: dict[str, Any] = upload(rows).json()
            run_worker()
        return accepted

    return post
