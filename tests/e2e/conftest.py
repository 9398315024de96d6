from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.services import database_url, fresh_database, held_redis_database, redis_url


@pytest.fixture(name="fresh_database")
def _fresh_database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    with fresh_database("reportflow_e2e") as name:
        yield database_url(name)


@pytest.fixture
def fresh_redis() -> Iterator[str]:
    """An empty Redis database that no other test run is using, emptied again afterwards."""
    with held_redis_database() as client:
        yield redis_url(client)
