"""The embedded broker: producers and consumers in separate processes share one folder."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

TRANSPORT = "adapters.celery.filesystem_transport:Transport"


def options(folder: Path) -> dict[str, object]:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "polling_interval": 0.05,
    }


def connect(folder: Path) -> Connection:
    return Connection("filesystem://localhost/", transport=TRANSPORT, transport_options=options(folder))


def produce(folder: str, start: int, count: int) -> None:
    with connect(Path(folder)) as conn:
        producer = conn.Producer(serializer="json")
        for n in range(start, start + count):
            producer.publish({"n": n}, routing_key="jobs", exchange=Exchange("jobs", type="direct"))


def consume(folder: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    seen = []
    with connect(Path(folder)) as conn:
        queue = conn.SimpleQueue(Queue("jobs", Exchange("jobs", type="direct"), routing_key="jobs"))
        while True:
            try:
                message = queue.get(timeout=1.5)
            except queue.Empty:
                break
            seen.append(message.payload["n"])
            message.ack()
    results.put(seen)


def test_folders_are_created_at_start_up(tmp_path: Path) -> None:
    with connect(tmp_path) as conn:
        conn.default_channel.close()

    assert {p.name for p in tmp_path.iterdir()} == {"queue", "processed", "control"}


def test_no_message_is_lost_or_consumed_twice_across_processes(tmp_path: Path) -> None:
    with connect(tmp_path) as conn:  # declare the queue and its binding once
        conn.SimpleQueue(Queue("jobs", Exchange("jobs", type="direct"), routing_key="jobs")).close()
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    consumers = [multiprocessing.Process(target=consume, args=(str(tmp_path), results)) for _ in range(3)]
    producers = [multiprocessing.Process(target=produce, args=(str(tmp_path), i * 300, 300)) for i in range(2)]

    for process in consumers + producers:
        process.start()
    for process in producers + consumers:
        process.join(timeout=60)
    seen = [n for _ in consumers for n in results.get(timeout=5)]

    assert sorted(seen) == list(range(600))
    assert list((tmp_path / "queue").iterdir()) == []
    assert [p.name for p in (tmp_path / "processed").iterdir()] == [".staging"]


def test_a_message_is_never_visible_half_written(tmp_path: Path) -> None:
    with connect(tmp_path) as conn:
        channel = conn.default_channel
        staged: list[list[str]] = []
        original_replace = __import__("os").replace

        def spy(src: str, dst: str) -> None:
            staged.append(sorted(p.name for p in (tmp_path / "queue").iterdir()))
            original_replace(src, dst)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("adapters.celery.filesystem_transport.os.replace", spy)
            channel._put("jobs", {"body": "x" * 100_000})

    assert staged == [[]], "nothing was in the queue folder until the complete file was renamed in"
    assert len(list((tmp_path / "queue").iterdir())) == 1


def test_a_worker_consumes_on_the_event_loop_as_on_redis(tmp_path: Path) -> None:
    """Evented, so a worker runs Celery's event loop and asynchronous pool (billiard's blocking
    pool could hang a worker's exit); the loop's timer hands over what waits in the folder."""
    from kombu.asynchronous import Hub

    # names of its own: kombu keeps the bindings it has seen in a process-wide state
    exchange = Exchange("evented", type="direct")
    received: list[int] = []
    hub = Hub()
    try:
        with connect(tmp_path) as conn:
            assert conn.is_evented
            conn.transport.register_with_event_loop(conn.connection, hub)
            queue = Queue("evented", exchange, routing_key="evented")
            consumer = conn.Consumer(
                queue, callbacks=[lambda body, message: (received.append(body["n"]), message.ack())]
            )
            consumer.consume()
            producer = conn.Producer(serializer="json")
            for n in range(3):
                producer.publish({"n": n}, routing_key="evented", exchange=exchange)
            loop = hub.create_loop()
            deadline = time.monotonic() + 10
            while len(received) < 3 and time.monotonic() < deadline:
                next(loop)
            consumer.cancel()
    finally:
        hub.close()

    assert sorted(received) == [0, 1, 2]


def test_a_message_given_back_says_it_was_delivered_before(tmp_path: Path) -> None:
    with connect(tmp_path) as conn:  # names of its own (see above)
        queue = conn.SimpleQueue(Queue("given-back", Exchange("given-back", type="direct"), routing_key="given-back"))
        queue.put({"n": 1})
        first = queue.get(timeout=2)
        first_said = (first.delivery_info.get("redelivered"), first.headers.get("redelivered"))
        first.reject(requeue=True)  # what Celery does with a task whose worker was lost
        again = queue.get(timeout=2)
        again.ack()

    assert first_said == (None, None)
    assert again.payload == {"n": 1}
    assert again.delivery_info["redelivered"] is True and again.headers["redelivered"] is True
