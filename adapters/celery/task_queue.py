"""TaskQueue over Celery: publishes a task message carrying ids only, or fails fast.

Publishing never retries here and never makes the caller wait long: the outbox row is the
record, and the relay publishes whatever failed. The publish runs on a small thread pool and
the caller waits for it at most `publish_timeout` seconds: a hung broker (its TCP port still
accepts, nothing answers) would otherwise hold the caller for every socket and connect
timeout kombu and redis-py stack up. A publish that finishes after the caller gave up is a
duplicate of the relay's, which workers skip. After a failure the broker is left alone for
a few seconds (a circuit breaker), so an outage costs one short wait, not one per request.

A worker's pool process publishes in the calling thread instead (`publish_in_caller_thread`):
there the caller is an attempt that just committed what it admitted, no request waits on it,
and the hand-off to a thread and back cost more CPU than the publish itself under a drain. A
hung broker holds such an attempt once for the socket timeout (1 s), then the breaker opens.
The message headers carry the delivery's correlation: the request id, the owner's id and
the trace context of the request behind the job.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as PublishTimeout
from typing import Any

from celery import Celery

from adapters.observability import correlation, tracing
from application.jobs.registry import JobKinds
from domain.ports import Delivery, QueueUnavailable

# one try, short socket timeouts: a publish to a healthy broker takes milliseconds
PUBLISH_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    "max_retries": 0,
    "retry_on_timeout": False,
}


class CeleryTaskQueue:
    def __init__(
        self, app: Celery, *, kinds: JobKinds, publish_timeout: float = 0.5, cooldown_seconds: float = 3.0
    ) -> None:
        self._app = app
        self._kinds = kinds
        self._publish_timeout = publish_timeout
        self._cooldown_seconds = cooldown_seconds
        self._open_until = 0.0
        self._local = threading.local()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0
        self._lock = threading.Lock()
        self._in_caller_thread = False

    def publish_in_caller_thread(self) -> None:
        """From now on, publish in the thread that enqueues, without a thread pool or its
        timeout: for a worker's pool process (see the module doc)."""
        self._in_caller_thread = True

    def enqueue(self, delivery: Delivery) -> None:
        if time.monotonic() < self._open_until:
            raise QueueUnavailable("the broker failed moments ago; the relay will publish this")
        try:
            if self._in_caller_thread:
                self._publish(delivery)
            else:
                self._pool().submit(self._publish, delivery).result(timeout=self._publish_timeout)
        except Exception as exc:  # kombu, redis and socket errors alike: the broker did not take it
            self._open_until = time.monotonic() + self._cooldown_seconds
            if isinstance(exc, PublishTimeout) and not self._in_caller_thread:
                raise QueueUnavailable(f"the broker did not answer within {self._publish_timeout} s") from exc
            raise QueueUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def warm_up(self) -> None:
        """Pay now most of what a process's first publish would (36 ms, then 5-7 ms after this;
        bench/results/round-a48f2d8-fa0876e.md): the lookups Celery makes once (its result
        backend, found by entry point; its router), the publish thread, and, in that thread
        without waiting for it, the broker connection (in the calling thread when it publishes
        there). A broker that is down is left to the first publish, which fails fast as ever."""
        self._app.backend  # noqa: B018 - the lookup is the point
        self._app.amqp.router  # noqa: B018
        if self._in_caller_thread:
            self._connect_quietly()
        else:
            self._pool().submit(self._connect_quietly)

    def _connect_quietly(self) -> None:
        try:
            self._connection().default_channel  # noqa: B018 - opening it connects
        except Exception:  # down or refusing: nothing is lost, the first publish tries again
            self._drop_connection()

    def _publish(self, delivery: Delivery) -> None:
        kwargs = {"job_id": str(delivery.job_id), "attempt": delivery.attempt}
        try:
            with tracing.attached(delivery.correlation):
                self._app.send_task(
                    self._kinds.kind(delivery.kind).task,
                    kwargs=kwargs,
                    queue=delivery.queue,
                    retry=False,
                    producer=self._producer(),
                    headers=correlation.message_headers(delivery.correlation),
                    # what Celery's safe repr would write for ids, without its walk of the values
                    argsrepr="()",
                    kwargsrepr=repr(kwargs),
                )
        except Exception:
            self._drop_connection()
            raise

    def _pool(self) -> ThreadPoolExecutor:
        # one per process: a process forked after a warm-up (gunicorn --preload) inherits an
        # executor whose threads stayed behind in its parent, so it makes its own
        with self._lock:
            if self._executor is None or self._executor_pid != os.getpid():
                self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="publish")
                self._executor_pid = os.getpid()
                self._local = threading.local()
            return self._executor

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._app.connection_for_write(transport_options=PUBLISH_TRANSPORT_OPTIONS)
            self._local.connection = connection
        return connection

    def _producer(self) -> Any:
        """The connection's producer, kept with it: `send_task` given a connection builds one
        for every message (with the safe repr written here: 335 -> 278 µs a publish on Redis,
        `bench.hot_calls`)."""
        producer = getattr(self._local, "producer", None)
        if producer is None:
            producer = self._app.amqp.Producer(self._connection(), auto_declare=False)
            self._local.producer = producer
        return producer

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = self._local.producer = None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to give back
                connection.release()
