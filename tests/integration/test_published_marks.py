"""The marks the dispatcher makes right after a commit: one statement, committed without
waiting for the WAL flush, and never relaxing a transaction it runs inside."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from adapters.orm.models import OutboxRecord
from adapters.orm.outbox import DjangoPublishedMarks
from adapters.orm.unit_of_work import DjangoUnitOfWork
from tests.integration.test_outbox_and_keys_contract import T0, delivery_of, job_with_delivery

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime(2026, 3, 1, 9, 0, 5, tzinfo=UTC)


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def text_run_by(sql: str) -> str:
    """The statement itself, or the prepared statement an EXECUTE runs."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1].split("(")[0]])
        return str(cursor.fetchone()[0])


def test_a_mark_outside_a_transaction_is_one_statement_that_does_not_wait_for_the_wal(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    first, _ = job_with_delivery(DjangoUnitOfWork(), owner, available_at=T0)
    job, entry = job_with_delivery(DjangoUnitOfWork(), owner, available_at=T0)
    _, other = job_with_delivery(DjangoUnitOfWork(), owner, available_at=T0)
    DjangoPublishedMarks().mark_published([delivery_of(first)], now=NOW)  # the first also prepares it

    with CaptureQueriesContext(connection) as statements:
        DjangoPublishedMarks().mark_published([delivery_of(job)], now=NOW)

    (statement,) = statements.captured_queries
    assert "set_config('synchronous_commit', 'off', true)" in text_run_by(statement["sql"])
    assert OutboxRecord.objects.get(id=entry).published_at == NOW
    assert OutboxRecord.objects.get(id=other).published_at is None
    assert synchronous_commit() == "on", "only that statement's own transaction is relaxed"


def test_a_mark_inside_a_transaction_leaves_its_commit_durable(make_user) -> None:  # type: ignore[no-untyped-def]
    job, entry = job_with_delivery(DjangoUnitOfWork(), make_user("alice"), available_at=T0)

    with transaction.atomic():
        DjangoPublishedMarks().mark_published([delivery_of(job)], now=NOW)
        during = synchronous_commit()

    assert during == "on"
    assert OutboxRecord.objects.get(id=entry).published_at == NOW
