"""Deliveries a worker took from Redis and has not acknowledged, read from kombu's records.

With `acks_late`, kombu's Redis transport keeps every message a worker took in a hash
(`unacked`, by delivery tag) and the moment it was taken in a sorted set (`unacked_index`)
until the worker acknowledges it, which a job task does once its attempt has ended. So a
delivery taken more than a lease ago whose job still waits for that attempt was taken by a
worker that died before its attempt committed anything (a brief attempt, see
application.jobs.pipeline): the reconciler sends it again then, as it hands on the job of an
attempt whose lease expired, instead of after the delay meant for messages lost in the
broker. Only job tasks' messages count; one that cannot be read is left alone.

The broker connection is kept from one pass to the next in the process that reads (two
commands a pass instead of eight with a connection's setup and teardown), and dropped after
any error: the next pass connects anew.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from celery import Celery

from domain.ports import TakenDelivery

logger = logging.getLogger(__name__)
# one try, short socket timeouts: a read of a healthy broker takes a millisecond
READ_TRANSPORT_OPTIONS = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0, "max_retries": 0}


class RedisTakenDeliveries:
    def __init__(self, app: Celery, *, tasks: Collection[str], limit: int = 500) -> None:
        self._app = app
        self._tasks = frozenset(tasks)
        self._limit = limit  # the oldest first; the rest wait for the next pass
        self._connection: Any = None  # kept between passes, in the process that opened it
        self._opened_in_pid = 0

    def taken_before(self, moment: datetime) -> list[TakenDelivery]:
        """Nothing when the broker cannot be read now (down, hung): the reconciler's other
        duties go on, and the next pass asks again, on a new connection."""
        try:
            channel: Any = self._channel()
            client = channel.client  # kombu's, with the transport's key prefix
            index, hashed = channel.unacked_index_key, channel.unacked_key
            tags = client.zrangebyscore(index, "-inf", moment.timestamp(), start=0, num=self._limit)
            raws = client.hmget(hashed, tags) if tags else []
        except Exception:  # kombu, redis and socket errors alike
            logger.warning("could not read the deliveries workers took from the broker", exc_info=True)
            self._drop()
            return []
        return [delivery for raw in raws if raw is not None and (delivery := self._delivery(raw)) is not None]

    def _channel(self) -> Any:
        if self._opened_in_pid != os.getpid():  # none yet, or a parent's: its socket is not ours to use
            self._connection = self._app.connection_for_read(transport_options=READ_TRANSPORT_OPTIONS)
            self._opened_in_pid = os.getpid()
        self._connection.ensure_connection(max_retries=1)
        return self._connection.default_channel

    def _drop(self) -> None:
        connection, self._connection, self._opened_in_pid = self._connection, None, 0
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.release()

    def _delivery(self, raw: bytes) -> TakenDelivery | None:
        try:
            payload, _exchange, _routing_key = json.loads(raw)
            if payload["headers"].get("task") not in self._tasks:
                return None
            body = payload["body"]
            if payload["properties"].get("body_encoding") == "base64":
                body = base64.b64decode(body)
            _args, kwargs, _embed = json.loads(body)
            return TakenDelivery(job_id=UUID(str(kwargs["job_id"])), attempt=int(kwargs["attempt"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
