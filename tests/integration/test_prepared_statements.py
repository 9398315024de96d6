"""Hot statements are prepared once per PostgreSQL connection and run as EXECUTE; a statement
PostgreSQL will not prepare, a new connection, a rollback or the setting turned off never
costs more than the plain statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from adapters.orm import prepared as prepared_module
from adapters.orm.models import JobRecord
from adapters.orm.prepared import prepared
from adapters.orm.statements import Table

pytestmark = pytest.mark.django_db(transaction=True)
JOBS = Table(JobRecord)


def server_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_hot_statement_is_prepared_once_then_executed_by_name() -> None:
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert JOBS.select("status = %s", ["queued"]) == []

    sent = [query["sql"] for query in queries.captured_queries]
    assert len([sql for sql in sent if sql.startswith("PREPARE ")]) == 1
    executed = [sql for sql in sent if sql.startswith("EXECUTE ")]
    assert len(executed) == 3
    assert executed[0].split("(")[0].removeprefix("EXECUTE ") in server_statements()


def test_a_statement_postgresql_cannot_prepare_runs_as_written_and_the_transaction_goes_on() -> None:
    untyped = "SELECT %s IS NULL"  # PostgreSQL cannot infer the parameter's type

    with transaction.atomic():
        JobRecord.objects.count()
        sql = prepared(untyped)
        with connection.cursor() as cursor:
            cursor.execute(sql, ["x"])
            assert cursor.fetchone() == (False,)
            cursor.execute("SELECT 1")  # the transaction was not aborted
            assert cursor.fetchone() == (1,)

    assert sql == untyped
    assert prepared(untyped) == untyped  # not tried again


def test_a_statement_prepared_in_a_rolled_back_transaction_still_runs() -> None:
    sql = "SELECT count(*) FROM job WHERE status = %s AND attempts >= %s"

    def prepare_then_fail() -> None:
        with transaction.atomic():
            prepared(sql)
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        prepare_then_fail()

    with connection.cursor() as cursor:
        cursor.execute(prepared(sql), ["queued", 0])
        assert cursor.fetchone() == (0,)


def test_a_new_connection_prepares_again() -> None:
    sql = "SELECT count(*) FROM job WHERE owner_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(prepared(sql), [1])
    connection.close()

    with connection.cursor() as cursor:
        cursor.execute(prepared(sql), [1])  # would fail: prepared statement ... does not exist
        assert cursor.fetchone() == (0,)


def test_turned_off_statements_run_as_written(settings: Any) -> None:
    settings.DATABASE_PREPARED_STATEMENTS = False

    assert prepared("SELECT count(*) FROM job WHERE owner_id = %s") == "SELECT count(*) FROM job WHERE owner_id = %s"


def test_a_statement_with_a_literal_percent_sign_runs_as_written() -> None:
    sql = "SELECT count(*) FROM job WHERE kind LIKE 'report%%' AND owner_id = %s"

    assert prepared(sql) == sql
    assert sql not in prepared_module._refused  # skipped, not refused by PostgreSQL
