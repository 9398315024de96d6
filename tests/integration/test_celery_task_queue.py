"""The Celery TaskQueue publishes a JSON message carrying ids only, on the job's queue."""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest
import redis
from celery import Celery
from celery.utils.saferepr import saferepr
from kombu import Connection, Queue

from adapters.celery.task_queue import CeleryTaskQueue
from application.jobs.registry import JobKinds
from application.reports.kinds import ReportKindSettings, report_job_kinds
from domain.ports import Delivery, QueueUnavailable
from tests.integration.fresh_process import run_fresh

REDIS_URL = "redis://127.0.0.1:6379/14"
KINDS = JobKinds((kind, lambda: None) for kind in report_job_kinds(ReportKindSettings()))  # type: ignore[misc]


def queue_for(app: Celery, **options: float) -> CeleryTaskQueue:
    return CeleryTaskQueue(app, kinds=KINDS, **options)


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


@pytest.mark.redis
def test_a_delivery_becomes_a_json_task_message_on_its_queue(redis_app) -> None:  # type: ignore[no-untyped-def]
    job_id = uuid.uuid4()

    queue_for(redis_app, publish_timeout=10).enqueue(
        Delivery(job_id=job_id, kind="report.process", attempt=2, queue="reports")
    )

    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(Queue("reports")).get(timeout=5)
        assert message.content_type == "application/json"
        assert message.headers["task"] == "reports.process"
        args, kwargs, _ = message.decode()
        message.ack()
    assert args == []
    assert kwargs == {"job_id": str(job_id), "attempt": 2}
    # shown (Flower, the worker's errors) as Celery's safe repr would show them
    assert (message.headers["argsrepr"], message.headers["kwargsrepr"]) == (saferepr(()), saferepr(kwargs))


@pytest.mark.redis
def test_a_thread_publishes_through_one_producer_until_its_connection_fails(redis_app) -> None:  # type: ignore[no-untyped-def]
    queue = queue_for(redis_app, publish_timeout=10)
    deliveries = [Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports") for _ in range(3)]

    queue._publish(deliveries[0])
    first = queue._local.producer
    queue._publish(deliveries[1])
    kept = queue._local.producer
    queue._drop_connection()  # what a failed publish does
    queue._publish(deliveries[2])

    assert kept is first
    assert queue._local.producer is not first
    with Connection(REDIS_URL) as conn:
        received = conn.SimpleQueue(Queue("reports"))
        ids = [received.get(timeout=5) for _ in deliveries]
        for message in ids:
            message.ack()
    assert [message.decode()[1]["job_id"] for message in ids] == [str(d.job_id) for d in deliveries]


@pytest.mark.redis
def test_a_message_carries_no_eta_because_retries_wait_in_the_outbox(redis_app) -> None:  # type: ignore[no-untyped-def]
    queue_for(redis_app, publish_timeout=10).enqueue(
        Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports")
    )

    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(Queue("reports")).get(timeout=5)
        message.ack()
    assert message.headers["eta"] is None


def app_for(url: str) -> Celery:
    app = Celery("reportflow-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=url, broker_transport=None, broker_transport_options={})
    return app


def test_an_unreachable_broker_fails_fast_and_then_is_not_tried_for_a_while() -> None:
    queue = queue_for(app_for(f"redis://127.0.0.1:{free_port()}/0"), cooldown_seconds=30)
    delivery = Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports")

    started = time.monotonic()
    with pytest.raises(QueueUnavailable):
        queue.enqueue(delivery)
    first = time.monotonic() - started
    started = time.monotonic()
    with pytest.raises(QueueUnavailable, match="moments ago"):
        queue.enqueue(delivery)
    second = time.monotonic() - started

    assert first < 2.0
    assert second < 0.01


def test_a_hung_broker_cannot_hold_the_caller_for_more_than_two_seconds() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        queue = queue_for(app_for(f"redis://127.0.0.1:{silent.getsockname()[1]}/0"))

        started = time.monotonic()
        with pytest.raises(QueueUnavailable):
            queue.enqueue(Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports"))

    assert time.monotonic() - started < 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_caller_waits_no_longer_than_the_publish_timeout_whatever_the_broker_does() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        queue = CeleryTaskQueue(
            app_for(f"redis://127.0.0.1:{silent.getsockname()[1]}/0"), kinds=KINDS, publish_timeout=0.3
        )

        started = time.monotonic()
        with pytest.raises(QueueUnavailable, match=r"did not answer within 0\.3 s"):
            queue.enqueue(Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports"))
        waited = time.monotonic() - started

    assert waited < 0.5


# The warming test counts the clients of a Redis database no other test uses: the file's other
# tests open and close clients on database 14, and under xdist they run beside it.
WARMING_URL = "redis://127.0.0.1:6379/12"


def clients_of(url: str) -> int:
    client = redis.Redis.from_url(url)
    db = client.connection_pool.connection_kwargs["db"]
    return sum(1 for c in client.client_list() if int(c["db"]) == db and c["cmd"] != "client|list")


@pytest.mark.redis
def test_warming_up_connects_before_any_publish_and_publishing_goes_on_as_before() -> None:
    redis.Redis.from_url(WARMING_URL).flushdb()
    app = app_for(WARMING_URL)
    queue = queue_for(app, publish_timeout=10)
    before = clients_of(WARMING_URL)

    queue.warm_up()
    deadline = time.monotonic() + 5
    while clients_of(WARMING_URL) == before and time.monotonic() < deadline:
        time.sleep(0.01)
    opened_by_warming = clients_of(WARMING_URL) - before
    job_id = uuid.uuid4()
    queue.enqueue(Delivery(job_id=job_id, kind="report.process", attempt=1, queue="reports"))

    assert opened_by_warming >= 1, "connected in the publish thread, before any publish"
    with Connection(WARMING_URL) as conn:
        message = conn.SimpleQueue(Queue("reports")).get(timeout=5)
        message.ack()
    assert message.decode()[1]["job_id"] == str(job_id)
    app.close()
    redis.Redis.from_url(WARMING_URL).flushdb()


def test_warming_up_against_a_broker_that_is_down_neither_raises_nor_holds_the_caller() -> None:
    queue = queue_for(app_for(f"redis://127.0.0.1:{free_port()}/0"), publish_timeout=0.5)

    started = time.monotonic()
    queue.warm_up()
    returned_after = time.monotonic() - started
    time.sleep(0.3)  # the background connection attempt fails meanwhile
    with pytest.raises(QueueUnavailable):
        queue.enqueue(Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports"))

    assert returned_after < 0.2


@pytest.mark.redis
def test_a_process_forked_after_warming_up_publishes_through_threads_of_its_own(redis_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    queue = queue_for(redis_app, publish_timeout=10)
    queue.warm_up()
    inherited = queue._pool()
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a child of a process that warmed up

    queue.enqueue(Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports"))

    assert queue._pool() is not inherited


@pytest.mark.redis
def test_publishing_in_the_caller_s_thread_uses_no_thread_pool_and_connects_when_warming_up(redis_app) -> None:  # type: ignore[no-untyped-def]
    queue = queue_for(redis_app)
    queue.publish_in_caller_thread()

    queue.warm_up()
    connected_by_warming = getattr(queue._local, "connection", None)  # this thread's, before any publish
    job_id = uuid.uuid4()
    queue.enqueue(Delivery(job_id=job_id, kind="report.process", attempt=1, queue="reports"))

    assert connected_by_warming is not None
    assert queue._local.connection is connected_by_warming
    assert queue._executor is None, "no thread pool was started"
    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(Queue("reports")).get(timeout=5)
        message.ack()
    assert message.decode()[1]["job_id"] == str(job_id)


def test_publishing_in_the_caller_s_thread_an_unreachable_broker_fails_fast_then_is_left_alone() -> None:
    queue = queue_for(app_for(f"redis://127.0.0.1:{free_port()}/0"), cooldown_seconds=30)
    queue.publish_in_caller_thread()
    delivery = Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports")

    started = time.monotonic()
    with pytest.raises(QueueUnavailable, match="Error"):
        queue.enqueue(delivery)
    first = time.monotonic() - started
    with pytest.raises(QueueUnavailable, match="moments ago"):
        queue.enqueue(delivery)

    assert first < 2.0
    assert queue._executor is None


def test_a_pool_process_publishes_in_the_attempt_s_thread_and_marks_there_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What a worker's pool process starts with (worker_process_init): the attempt that
    committed deliveries publishes and marks them itself, no thread hand-off."""
    code = (
        "import django; django.setup()\nfrom adapters.celery import tasks\ntasks._warm_up()\n"
        "from config.container import container\n"
        "print(container.task_queue()._in_caller_thread, type(container.background()).__name__)"
    )

    assert run_fresh(code, tmp_path).split()[-2:] == ["True", "AtOnce"]


def test_publishing_in_the_caller_s_thread_a_hung_broker_holds_the_caller_about_its_socket_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        queue = queue_for(app_for(f"redis://127.0.0.1:{silent.getsockname()[1]}/0"))
        queue.publish_in_caller_thread()

        started = time.monotonic()
        with pytest.raises(QueueUnavailable):
            queue.enqueue(Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="reports"))

    assert time.monotonic() - started < 2.5  # the 1 s socket timeout, once
