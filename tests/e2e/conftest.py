from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Redis databases the e2e tests may use; each test takes one that no other run holds, so two
# runs on one machine (a developer's and CI's) never flush each other's queues.
E2E_REDIS_DATABASES = range(1, 13)
HOLD_KEY = "reportflow:e2e:held-by"


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
    """An empty Redis database that no other test run is using, emptied again afterwards."""
    holder = f"{os.getpid()}-{uuid.uuid4().hex}"
    for db in E2E_REDIS_DATABASES:
        client = redis.Redis(host="127.0.0.1", port=6379, db=db)
        if client.set(HOLD_KEY, holder, nx=True, ex=1800):
            break
    else:
        pytest.fail("every e2e Redis database is held by another test run")
    for key in client.scan_iter():
        if key != HOLD_KEY.encode():
            client.delete(key)
    yield f"redis://127.0.0.1:6379/{db}"
    client.flushdb()
