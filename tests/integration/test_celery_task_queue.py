"""The Celery TaskQueue publishes a JSON message carrying ids only, on the job's queue."""

from __future__ import annotations

import uuid

import pytest
import redis
from celery import Celery
from kombu import Connection, Queue

from adapters.celery.task_queue import CeleryTaskQueue
from domain.ports import Delivery

REDIS_URL = "redis://127.0.0.1:6379/14"
pytestmark = pytest.mark.redis


@pytest.fixture
def redis_app():  # type: ignore[no-untyped-def]
    """The production Celery configuration, pointed at a Redis database of its own."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    redis_app = Celery("reportflow-test")
    redis_app.config_from_object("django.conf:settings", namespace="CELERY")
    redis_app.conf.update(broker_url=REDIS_URL, broker_transport=None, broker_transport_options={"socket_timeout": 5})
    yield redis_app
    redis_app.close()
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_delivery_becomes_a_json_task_message_on_its_queue(redis_app) -> None:  # type: ignore[no-untyped-def]
    job_id = uuid.uuid4()

    CeleryTaskQueue(redis_app).enqueue(Delivery(job_id=job_id, kind="report.process", attempt=2, queue="reports"))

    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(Queue("reports")).get(timeout=5)
        assert message.content_type == "application/json"
        assert message.headers["task"] == "reports.process"
        args, kwargs, _ = message.decode()
        message.ack()
    assert args == []
    assert kwargs == {"job_id": str(job_id), "attempt": 2}


def test_a_delayed_delivery_carries_its_eta(redis_app) -> None:  # type: ignore[no-untyped-def]
    CeleryTaskQueue(redis_app).enqueue(
        Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports", delay_seconds=30)
    )

    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(Queue("reports")).get(timeout=5)
        message.ack()
    assert message.headers["eta"] is not None
