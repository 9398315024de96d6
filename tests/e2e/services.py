"""Private slices of the shared PostgreSQL and Redis: a database of one's own, a Redis
database no other run holds. The e2e tests and `make bench` take theirs from here."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import redis

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Redis databases e2e tests and benchmarks may use; each run takes one that no other run
# holds, so two runs on one machine (a developer's and CI's) never flush each other's queues.
E2E_REDIS_DATABASES = range(1, 13)
HOLD_KEY = "reportflow:e2e:held-by"


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


@contextmanager
def fresh_database(prefix: str, *, template: str = "") -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` when given), dropped afterwards; yields its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def held_redis_database(seconds: int = 1800) -> Iterator[redis.Redis]:
    """An empty Redis database that no other run is using, held for up to `seconds` and
    emptied again afterwards. Raises RuntimeError when every one is held."""
    holder = f"{os.getpid()}-{uuid.uuid4().hex}"
    for db in E2E_REDIS_DATABASES:
        client = redis.Redis(host="127.0.0.1", port=6379, db=db)
        if client.set(HOLD_KEY, holder, nx=True, ex=seconds):
            break
    else:
        raise RuntimeError("every e2e Redis database is held by another run")
    empty_except_hold(client)
    try:
        yield client
    finally:
        client.flushdb()


def empty_except_hold(client: redis.Redis) -> None:
    """Delete every key of the held database but the hold itself."""
    for key in client.scan_iter():
        if key != HOLD_KEY.encode():
            client.delete(key)


def redis_url(client: redis.Redis) -> str:
    return f"redis://127.0.0.1:6379/{client.connection_pool.connection_kwargs['db']}"
