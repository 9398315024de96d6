"""How many messages wait in the broker per queue, asked of the broker itself: Redis lists
(`LLEN` of each priority list kombu keeps for a queue) or the embedded broker's folder."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import redis
from kombu.transport.redis import PRIORITY_STEPS
from kombu.transport.redis import Channel as RedisChannel

from adapters.celery.filesystem_transport import queue_sizes

QueueDepth = Callable[[], Mapping[str, int]]
"""Messages waiting per queue; raises when the broker does not answer."""


class RedisQueueDepth:
    def __init__(self, url: str, queues: Iterable[str], *, timeout: float = 1.0) -> None:
        self._queues = sorted(set(queues))
        self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)

    def __call__(self) -> dict[str, int]:
        with self._client.pipeline(transaction=False) as pipe:
            for queue in self._queues:
                for priority in PRIORITY_STEPS:
                    pipe.llen(f"{queue}{RedisChannel.sep}{priority}" if priority else queue)
            lengths = pipe.execute()
        steps = len(PRIORITY_STEPS)
        return {queue: sum(lengths[i * steps : (i + 1) * steps]) for i, queue in enumerate(self._queues)}


class FilesystemQueueDepth:
    def __init__(self, folder: str, queues: Iterable[str]) -> None:
        self._folder = folder
        self._queues = sorted(set(queues))

    def __call__(self) -> dict[str, int]:
        return queue_sizes(self._folder, self._queues)


def queue_depth_for(broker_url: str, transport_options: Mapping[str, Any], queues: Iterable[str]) -> QueueDepth | None:
    """The way to read queue depths from this broker, or None for a broker that has none here."""
    if broker_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisQueueDepth(broker_url, queues)
    if broker_url.startswith("filesystem://") and "data_folder_in" in transport_options:
        return FilesystemQueueDepth(str(transport_options["data_folder_in"]), queues)
    return None
