"""Request counters shared by every web process: one round trip counts one request.

A fixed window per key (the key names the window), so counting is one atomic increment:
INCR and EXPIRE in one Redis transaction, or one upsert in the database when no Redis is
configured (the embedded default). Neither Django's DatabaseCache (get, then set) nor DRF's
SimpleRateThrottle (read, append, write back a list) is atomic across processes, so two web
workers could both let the last request of a window through.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

import redis
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

REDIS_PREFIX = "reportflow:rate:"


class RateCounter(Protocol):
    def hit(self, key: str, *, expires_in: int) -> int:
        """Count one request under `key`, kept at least `expires_in` seconds; the count so far
        (0 when the counter cannot be reached: the request is let through)."""


class RedisRateCounter:
    def __init__(self, url: str) -> None:
        # short timeouts: a slow Redis must not hold a submission for long
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def hit(self, key: str, *, expires_in: int) -> int:
        try:
            with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(REDIS_PREFIX + key)
                pipe.expire(REDIS_PREFIX + key, expires_in)
                count, _ = pipe.execute()
        except redis.RedisError as exc:
            # limits are a courtesy to the service; an outage of their store must not stop it
            logger.warning("rate limits: Redis unreachable, request not counted: %s", type(exc).__name__)
            return 0
        return int(count)


_UPSERT = (
    "INSERT INTO rate_counter (key, hits, expires_at) VALUES (%s, 1, %s) "
    "ON CONFLICT (key) DO UPDATE SET hits = rate_counter.hits + 1 RETURNING hits"
)


class DatabaseRateCounter:
    """Counters in the `rate_counter` table (PostgreSQL or SQLite >= 3.35): one upsert each."""

    def hit(self, key: str, *, expires_in: int) -> int:
        expires_at = timezone.now() + timedelta(seconds=expires_in)
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, [key, connection.ops.adapt_datetimefield_value(expires_at)])
            row = cursor.fetchone()
        return int(row[0])

    @staticmethod
    def purge_expired(now: datetime) -> int:
        """Forget the counters of windows that have ended."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM rate_counter WHERE expires_at < %s", [connection.ops.adapt_datetimefield_value(now)]
            )
            return int(cursor.rowcount)
