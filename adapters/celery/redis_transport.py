"""kombu's Redis transport, less a new Redis client for every command.

kombu's Redis channel builds a `redis.Redis` client around its connection pool for each
operation: every publish, every acknowledgement and every message taken by a worker (the
unacknowledged index). Building one copies redis-py's table of about 170 reply callbacks
into a case-insensitive dictionary: about a fifth of a publish (`bench.hot_calls` times a
publish through kombu's transport and through this one). A client holds no connection of its own, only the pool, and
may be shared by threads, so the channel here keeps one for as long as its pool lives: the
pool is dropped when the connection is lost, and the client with it.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis

# kombu's type stubs omit the channel's private methods
_KombuChannel: Any = redis.Channel


class Channel(_KombuChannel):
    _reportflow_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # the event loop's own connection (BRPOP): kombu makes it once
            return super()._create_client(asynchronous=True)
        pool = self.pool
        client = self._reportflow_client
        if client is None or client.connection_pool is not pool:
            client = self._reportflow_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
