from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
E2E_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    name = f"reportflow_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_redis() -> Iterator[str]:
    client = redis.Redis.from_url(E2E_REDIS)
    client.flushdb()
    yield E2E_REDIS
    client.flushdb()
