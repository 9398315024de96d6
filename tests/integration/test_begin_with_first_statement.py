"""The PostgreSQL backend sends a transaction's BEGIN with its first statement: one round trip
less per transaction, and transactions behave exactly as before (what reaches the server is
read from libpq's trace of the connection)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from psycopg import pq

from adapters.orm.models import JobRecord

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def messages() -> Iterator[list[str]]:
    """The Query messages this thread's connection sends inside the block, one per round trip."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    sent: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace"
        with path.open("w") as handle:
            pgconn.trace(handle.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            try:
                yield sent
            finally:
                pgconn.untrace()
        lines = path.read_text().splitlines()
    queries = [line for line in lines if line.startswith("F\t") and "\tQuery\t" in line]
    sent += [line.split("\t", 3)[3].strip().strip('"') for line in queries]


def committed_count(where: str) -> int:
    """Users matching `where`, counted from another connection: what was committed, only that."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"], dbname=database["NAME"]
    ) as other:
        row = other.execute(f"SELECT count(*) FROM auth_user WHERE {where}").fetchone()
        assert row is not None
        return int(row[0])


def rolled_back(sql: str, params: Any, *, many: bool = False) -> None:
    """Run one statement in a block that then fails, so it rolls back."""
    with transaction.atomic(), connection.cursor() as cursor:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        raise RuntimeError("roll back")


def test_the_engine_is_the_round_trip_saving_one() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "adapters.orm.postgresql"
    assert type(connections["default"]).__module__ == "adapters.orm.postgresql.base"


def test_begin_travels_with_the_first_statement_and_commit_ends_the_transaction() -> None:
    with messages() as sent, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS scratch (n int)")
        cursor.execute("INSERT INTO scratch VALUES (%s)", [1])
        cursor.execute("SELECT count(*) FROM scratch WHERE n = %s", [1])
        assert cursor.fetchone() == (1,)
    assert sent[0].startswith("BEGIN; CREATE TEMP TABLE"), sent
    assert "BEGIN" not in sent[1:], sent
    assert sent[-1] == "COMMIT"
    assert len(sent) == 4


def test_the_first_statement_answers_its_own_rows_and_row_count() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT '100%%', %s", ["x"])
        assert cursor.fetchall() == [("100%", "x")]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT '100%'")  # no parameters: the text is sent as it is
        assert cursor.fetchone() == ("100%",)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE job SET progress = 0 WHERE false")
        assert cursor.rowcount == 0


def test_a_block_without_statements_sends_nothing() -> None:
    with messages() as sent:
        with transaction.atomic():
            pass
        with pytest.raises(RuntimeError), transaction.atomic():
            raise RuntimeError
    assert sent == []


def test_a_rolled_back_block_leaves_nothing_and_the_connection_usable(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    update = "UPDATE auth_user SET first_name = 'changed' WHERE id = %s"
    with messages() as sent, pytest.raises(RuntimeError):
        rolled_back(update, [owner])
    assert sent[0].startswith("BEGIN; UPDATE auth_user") and sent[-1] == "ROLLBACK", sent
    assert committed_count("first_name = 'changed'") == 0
    with connection.cursor() as cursor:  # autocommit again, and sound
        cursor.execute("SELECT count(*) FROM auth_user")
        assert cursor.fetchone() == (1,)


def test_a_failing_first_statement_rolls_its_transaction_back() -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO auth_user (id) VALUES (NULL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection.info.transaction_status == pq.TransactionStatus.IDLE


def test_statements_of_the_block_are_invisible_to_others_until_commit(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE auth_user SET first_name = 'inside' WHERE id = %s", [owner])
        assert committed_count("first_name = 'inside'") == 0
    assert committed_count("first_name = 'inside'") == 1


def test_what_cannot_carry_begin_sends_it_first_and_runs_inside_the_transaction(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    with messages() as sent, pytest.raises(RuntimeError):
        rolled_back("UPDATE auth_user SET first_name = %s WHERE id = %s", [("many", owner)], many=True)
    assert sent[0] == "BEGIN", sent
    assert committed_count("first_name = 'many'") == 0

    with messages() as sent, transaction.atomic():
        jobs = list(JobRecord.objects.all().iterator(chunk_size=10))  # a server-side cursor
    assert jobs == []
    assert sent[0] == "BEGIN" and sent[1].startswith("FETCH"), sent  # DECLARE goes as Parse, Bind, Execute


def test_savepoints_of_nested_blocks_keep_working(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE auth_user SET first_name = 'outer' WHERE id = %s", [owner])
        with pytest.raises(RuntimeError):
            rolled_back("UPDATE auth_user SET first_name = 'inner' WHERE id = %s", [owner])
    assert committed_count("first_name = 'outer'") == 1


def test_an_isolation_level_opens_transactions_as_psycopg_does() -> None:
    connection.ensure_connection()
    raw = connection.connection
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with messages() as sent, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert sent[0] == "BEGIN ISOLATION LEVEL REPEATABLE READ", sent
    finally:
        raw.isolation_level = None
