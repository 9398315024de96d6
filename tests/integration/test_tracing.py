"""One trace follows an upload: the request, the report's task (published later, by the outbox
relay or after commit), the webhook task its end creates, and the webhook's HTTP call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.app.trace import build_tracer
from django.core.files.uploadedfile import SimpleUploadedFile
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adapters.celery.tasks import JOB_TASKS
from adapters.observability import tracing
from adapters.orm.models import JobRecord
from config.celery import app
from config.container import container
from domain.notifications.destination import AddressPolicy
from tests.api.conftest import client_for
from tests.webhook_receiver import Receiver

QUEUES = ("default", "notifications")


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure(exporter=exporter)
    try:
        yield exporter
    finally:
        tracing.stop()


@pytest.fixture
def broker() -> Iterator[Any]:
    """The test settings' in-memory broker, emptied, and a way to take its next message."""
    with app.connection_for_read() as connection:
        queues = {name: connection.SimpleQueue(name, no_ack=True) for name in QUEUES}
        for queue in queues.values():
            queue.clear()
        yield queues
        for queue in queues.values():
            queue.close()


def run_like_a_worker(message: Any, queue: str) -> None:
    """What a worker does with a message: its headers become the task's request."""
    [task] = [task for task in JOB_TASKS.values() if task.name == message.headers["task"]]
    _, kwargs, _ = message.payload
    request = {**message.headers, "delivery_info": {"routing_key": queue}, "hostname": "tracing-test"}
    build_tracer(task.name, task, app=app, eager=True, propagate=True)(message.headers["id"], [], kwargs, request)


@pytest.mark.django_db(transaction=True)
def test_the_request_the_tasks_and_the_webhook_call_share_one_trace(spans: InMemorySpanExporter, broker: Any) -> None:
    alice = client_for("alice")
    with (
        Receiver() as receiver,
        container.address_policy.override(AddressPolicy.allowing(["127.0.0.1"])),
    ):
        url = f"http://127.0.0.1:{receiver.port}/hook"
        assert (
            alice.post("/api/v1/webhooks/", {"url": url, "events": ["job.succeeded"]}, format="json").status_code == 201
        )

        accepted = alice.post(
            "/api/v1/reports/",
            {"file": SimpleUploadedFile("data.csv", b"a,b\n1,2\n")},
            format="multipart",
            HTTP_X_REQUEST_ID="traced-1",
        )
        run_like_a_worker(broker["default"].get(timeout=5), "default")
        run_like_a_worker(broker["notifications"].get(timeout=5), "notifications")

    assert accepted.status_code == 202
    assert JobRecord.objects.get(id=accepted.json()["id"]).status == "succeeded"
    assert len(receiver.requests) == 1
    finished = spans.get_finished_spans()
    [request] = [
        s
        for s in finished
        if s.kind == SpanKind.SERVER
        and s.attributes.get("http.method") == "POST"
        and "reports" in str(s.attributes.get("http.route", s.attributes.get("http.target", "")))
    ]
    [report_task] = [s for s in finished if s.name == "run/reports.process"]
    [webhook_task] = [s for s in finished if s.name.startswith("run/") and "webhook" in s.name]
    [webhook_call] = [s for s in finished if s.kind == SpanKind.CLIENT and s.name.startswith("POST")]
    trace_ids = {s.context.trace_id for s in (request, report_task, webhook_task, webhook_call)}
    assert trace_ids == {request.context.trace_id}
    assert webhook_call.parent.span_id == webhook_task.context.span_id
