"""The Redis transport keeps one client per channel, for as long as its connection pool lives,
and carries messages as kombu's does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis
from kombu import Connection

from adapters.celery import redis_transport
from tests.e2e.services import held_redis_database, redis_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def url() -> Any:
    with held_redis_database(seconds=120) as client:
        yield redis_url(client)


@pytest.fixture
def clients_made(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every redis.Redis client built from now on."""
    made: list[Any] = []
    original = redis.Redis.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    return made


@pytest.mark.redis
def test_publishing_and_acknowledging_build_one_client_for_the_channel(url: str, clients_made: list[Any]) -> None:
    with Connection(url, transport=redis_transport.Transport) as connection:
        queue = connection.SimpleQueue("transport-test")
        for number in range(5):
            queue.put({"number": number})
        received = []
        for _ in range(5):
            message = queue.get(timeout=5)
            received.append(message.payload["number"])
            message.ack()  # the unacknowledged index, as an acks_late worker's
        pool = queue.channel.pool  # the channel's commands' pool (its BRPOP has one of its own)
        queue.close()

    assert received == [0, 1, 2, 3, 4]
    assert len([client for client in clients_made if client.connection_pool is pool]) == 1, clients_made


@pytest.mark.redis
def test_kombus_own_transport_builds_a_client_per_command(url: str, clients_made: list[Any]) -> None:
    """What the transport saves (if kombu stops doing this, the transport can go)."""
    with Connection(url, transport="kombu.transport.redis:Transport") as connection:
        queue = connection.SimpleQueue("transport-test")
        for number in range(5):
            queue.put({"number": number})
        queue.close()

    assert len(clients_made) >= 5


@pytest.mark.redis
def test_a_client_follows_the_pool_when_the_connection_is_lost(url: str) -> None:
    with Connection(url, transport=redis_transport.Transport) as connection:
        channel = connection.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        channel._disconnect_pools()  # what kombu does when the connection is lost
        second = channel._create_client()
        assert second is not first and second.connection_pool is channel.pool
        queue = connection.SimpleQueue("transport-test")
        queue.put({"after": "reconnect"})
        message = queue.get(timeout=5)
        message.ack()
        queue.close()
    assert message.payload == {"after": "reconnect"}


@pytest.mark.parametrize(
    ("broker", "transport"),
    [
        ("redis://cache:6379/0", "adapters.celery.redis_transport:Transport"),
        ("rediss://cache:6380/0?ssl_cert_reqs=required", "adapters.celery.redis_transport:Transport"),
        ("sentinel://cache:26379", "None"),  # kombu's sentinel transport, unchanged
        ("amqp://rabbit//", "None"),
    ],
)
def test_the_settings_name_it_for_a_redis_broker_only(broker: str, transport: str) -> None:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "SECRET_KEY": "a-long-enough-key-for-the-settings-to-load-" + "x1y2z3" * 4,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    }
    code = "from config import settings; print(getattr(settings, 'CELERY_BROKER_TRANSPORT', None))"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == transport
