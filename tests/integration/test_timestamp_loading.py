"""Timestamps read from PostgreSQL come out as Django's loader would make them, parsed by
psycopg's compiled parser instead of Django's pure-Python subclass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import pq

from adapters.orm.postgresql.base import TimestamptzLoader

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = [
    "2026-12-01 15:40:37.123456+00",
    "2026-12-01 15:40:37+00",
    "2026-12-01 21:10:37.5+05:30",
    "1999-12-31 23:59:59.999999-08",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def test_the_connection_and_its_cursors_read_timestamptz_with_this_loader() -> None:
    connection.ensure_connection()
    oid = 1184  # timestamptz
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(oid, pq.Format.TEXT)
    assert issubclass(loader, TimestamptzLoader) and loader.timezone == connection.timezone == UTC


@pytest.mark.parametrize("text", TEXTS)
def test_a_timestamp_reads_as_django_s_own_loader_reads_it(text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz::text", [text, text])
        read, as_sent_back = cursor.fetchone()
        django_s = type("Loader", (BaseTzLoader,), {"timezone": connection.timezone})(1184, cursor.cursor)
    expected = django_s.load(as_sent_back.encode())
    assert read == expected and read.tzinfo == expected.tzinfo == UTC


def test_a_model_s_timestamp_round_trips() -> None:
    from adapters.orm.models import SmallBlobRecord

    at = datetime(2026, 12, 1, 15, 40, 37, 123456, tzinfo=UTC)
    SmallBlobRecord.objects.create(id="5f0c6a1e-0000-4000-8000-000000000001", data=b"x", created_at=at)
    assert SmallBlobRecord.objects.get().created_at == at
