"""The rate-limit counters count every request exactly once, whichever process sends it:
concurrent hits get distinct counts, in Redis and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from adapters.rate_limits.counters import REDIS_PREFIX, DatabaseRateCounter, RateCounter, RedisRateCounter
from tests.e2e.services import held_redis_database, redis_url

HITS = 40


def hit_concurrently(counter: RateCounter, key: str, *, close_connections: bool = False) -> list[int]:
    def hit(_: int) -> int:
        try:
            return counter.hit(key, expires_in=60)
        finally:
            if close_connections:
                connection.close()  # each thread's own connection

    with ThreadPoolExecutor(8) as pool:
        return sorted(pool.map(hit, range(HITS)))


@pytest.fixture
def redis_counter() -> Iterator[tuple[RedisRateCounter, object]]:
    with held_redis_database() as client:
        yield RedisRateCounter(redis_url(client)), client


@pytest.mark.redis
def test_concurrent_hits_in_redis_each_get_their_own_count_and_the_key_expires(
    redis_counter: tuple[RedisRateCounter, object],
) -> None:
    counter, client = redis_counter

    counts = hit_concurrently(counter, "submit:user:1:60:7")

    assert counts == list(range(1, HITS + 1))
    assert 0 < client.ttl(REDIS_PREFIX + "submit:user:1:60:7") <= 60  # type: ignore[attr-defined]


def test_an_unreachable_redis_lets_requests_through() -> None:
    counter = RedisRateCounter("redis://127.0.0.1:1/0")

    assert counter.hit("submit:user:1:60:7", expires_in=60) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_in_the_database_each_get_their_own_count() -> None:
    counts = hit_concurrently(DatabaseRateCounter(), "submit:global:60:9", close_connections=True)

    assert counts == list(range(1, HITS + 1))


@pytest.mark.django_db
def test_the_database_forgets_the_counters_of_ended_windows() -> None:
    counter = DatabaseRateCounter()
    counter.hit("old", expires_in=1)
    counter.hit("current", expires_in=600)

    purged = counter.purge_expired(timezone.now() + timedelta(seconds=5))

    assert purged == 1
    assert counter.hit("old", expires_in=60) == 1
    assert counter.hit("current", expires_in=600) == 2
