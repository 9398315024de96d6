"""The PostgreSQL backend binds values into statements exactly as psycopg does, through one
converter per connection instead of a new one per statement."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg.types.json import Jsonb
from psycopg.types.numeric import Int2, Int4, Int8

pytestmark = pytest.mark.django_db(transaction=True)

VALUES: list[Any] = [
    None,
    True,
    0,
    -(2**40),
    Int2(7),
    Int4(-3),
    Int8(2**40),
    1.5,
    float("inf"),
    Decimal("12.3400"),
    "plain",
    "it's 100% a \\ back'slash",
    "ünïcødé ✓",
    "",
    b"\x00bytes\xff'",
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    datetime(2026, 12, 1, 14, 30, 5, 123456, tzinfo=UTC),
    date(2026, 12, 1),
    time(23, 59, 59),
    timedelta(days=2, seconds=3),
    [1, 2, 3],
    ["a", "b'c", None],
    [],
    Jsonb({"a": [1, 2, {"b": "it's"}], "c": None}),
]


def cursor() -> Any:
    """A psycopg cursor of Django's connection (the backend's own cursor class)."""
    connection.ensure_connection()
    return connection.connection.cursor()


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_bound_as_psycopg_binds_it(value: Any) -> None:
    with cursor() as raw:
        assert raw.mogrify("SELECT %s", [value]) == psycopg.ClientCursor.mogrify(raw, "SELECT %s", [value])


def test_every_value_reads_back_from_the_server_as_sent() -> None:
    comparable = [value.obj if isinstance(value, Jsonb) else value for value in VALUES]
    comparable = [int(v) if isinstance(v, Int2 | Int4 | Int8) else v for v in comparable]
    # psycopg sends a list of strings and an empty list without a type: the server would read text
    placeholders = ["%s::text[]" if isinstance(value, list) and value[:1] != [1] else "%s" for value in VALUES]
    with connection.cursor() as django_cursor:
        django_cursor.execute("SELECT " + ", ".join(placeholders), VALUES)
        row = django_cursor.fetchone()
    read = [bytes(v) if isinstance(v, memoryview) else v for v in row]
    read[-1] = json.loads(read[-1])  # Django reads JSON as text and decodes it in the model's field
    assert read == comparable


def test_placeholders_and_percent_signs_keep_psycopgs_meaning() -> None:
    with connection.cursor() as django_cursor:
        django_cursor.execute("SELECT %s, '100%%'", ["5%"])
        assert django_cursor.fetchone() == ("5%", "100%")
        django_cursor.execute("SELECT '100%'")  # no values: the text is sent as it is
        assert django_cursor.fetchone() == ("100%",)
        django_cursor.execute("SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": "x"})
        assert django_cursor.fetchone() == (1, "x", 1)


def test_one_converter_serves_every_statement_of_a_connection() -> None:
    with cursor() as first, cursor() as second:
        first.mogrify("SELECT %s", [1])
        binder = connection.connection._reportflow_binder
        second.mogrify("SELECT %s", ["x"])
        with connection.cursor() as django_cursor:
            django_cursor.execute("SELECT %s", [uuid.uuid4()])
        assert connection.connection._reportflow_binder is binder
    connection.close()
    with connection.cursor() as django_cursor:  # a new connection has its own, statements use it
        django_cursor.execute("SELECT %s", [1])
        assert connection.connection._reportflow_binder is not binder
