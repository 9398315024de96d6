"""TaskQueue over Celery: publishes a task message carrying ids only, or fails fast.

Publishing never retries here and never waits long: the outbox row is the record, and the
relay publishes whatever failed. Each thread publishes over its own connection with a short
socket timeout (a hung Redis answers nothing, and would otherwise hold the caller), and
after a failure the broker is not tried again for a few seconds (a circuit breaker), so an
outage costs one short wait, not one per request.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from celery import Celery

from domain.ports import Delivery, QueueUnavailable

# job kind -> Celery task name; both are stable public names, so old messages stay valid
TASK_FOR_KIND = {
    "report.process": "reports.process",
    "report.chunk": "reports.chunk",
    "report.merge": "reports.merge",
}
PUBLISH_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.0,
    "socket_connect_timeout": 1.0,
    "max_retries": 0,
    "retry_on_timeout": False,
}


class CeleryTaskQueue:
    def __init__(self, app: Celery, *, cooldown_seconds: float = 3.0) -> None:
        self._app = app
        self._cooldown_seconds = cooldown_seconds
        self._open_until = 0.0
        self._local = threading.local()

    def enqueue(self, delivery: Delivery) -> None:
        if time.monotonic() < self._open_until:
            raise QueueUnavailable("the broker failed moments ago; the relay will publish this")
        try:
            self._app.send_task(
                TASK_FOR_KIND[delivery.kind],
                kwargs={"job_id": str(delivery.job_id), "attempt": delivery.attempt},
                queue=delivery.queue,
                retry=False,
                connection=self._connection(),
            )
        except Exception as exc:  # kombu, redis and socket errors alike: the broker did not take it
            self._open_until = time.monotonic() + self._cooldown_seconds
            self._drop_connection()
            raise QueueUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._app.connection_for_write(transport_options=PUBLISH_TRANSPORT_OPTIONS)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to give back
                connection.release()
