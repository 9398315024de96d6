"""Deferred writes: inside a unit of work on PostgreSQL, a job's inserts and a report's update
travel with the next statement, in one round trip, and behave as if sent at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from adapters.orm.models import JobEventRecord, JobRecord
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.job import Job
from tests.integration.test_begin_with_first_statement import messages

pytestmark = pytest.mark.django_db(transaction=True)


def new_job(owner: int) -> Job:
    return Job.create(
        id=uuid.uuid4(), kind="k", owner_id=owner, queue="q", max_attempts=1, now=datetime.now(UTC), actor="u"
    )


@contextmanager
def sent_statements() -> Iterator[list[str]]:
    """What reaches the database, one entry per execute: installed inside the unit of work, so
    it sees the statements after deferred writes joined them."""
    sent: list[str] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


def test_an_insert_travels_with_the_next_statement_which_sees_it(make_user) -> None:  # type: ignore[no-untyped-def]
    job = new_job(make_user("alice"))
    with DjangoUnitOfWork() as uow:
        with sent_statements() as sent:
            uow.jobs.add(job)  # the job row and its first event
            assert sent == []
            seen = JobRecord.objects.filter(id=job.id).count()  # an ORM query, after them
        assert seen == 1
        assert len(sent) == 1 and sent[0].count("INSERT INTO") == 2, sent
        uow.commit()

    assert JobEventRecord.objects.filter(job_id=job.id).count() == 1


def test_writes_still_waiting_at_commit_are_committed(make_user) -> None:  # type: ignore[no-untyped-def]
    job = new_job(make_user("alice"))
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)
        uow.commit()

    assert JobRecord.objects.filter(id=job.id).exists()


def test_writes_of_a_unit_of_work_left_without_commit_are_never_sent(make_user) -> None:  # type: ignore[no-untyped-def]
    job = new_job(make_user("alice"))
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)

    with DjangoUnitOfWork() as uow:  # a later unit of work does not carry them
        assert uow.jobs.get(job.id) is None
    assert not JobRecord.objects.filter(id=job.id).exists()


def test_a_failing_deferred_write_fails_its_transaction_and_nothing_of_it_commits(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    job = new_job(owner)
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)
        uow.commit()
    twin = new_job(owner)
    twin.id = job.id  # the same primary key: the insert must fail

    with DjangoUnitOfWork() as uow:
        uow.jobs.add(new_job(owner))
        uow.jobs.add(twin)
        with pytest.raises(IntegrityError):
            uow.commit()

    assert JobRecord.objects.count() == 1


def test_a_statement_without_parameters_keeps_its_percent_signs(make_user) -> None:  # type: ignore[no-untyped-def]
    job = new_job(make_user("alice"))
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)
        with connection.cursor() as cursor:
            cursor.execute("SELECT '100%', count(*) FROM job")
            assert cursor.fetchone() == ("100%", 1)
        uow.commit()


def test_the_last_writes_and_the_commit_travel_in_one_round_trip(make_user) -> None:  # type: ignore[no-untyped-def]
    job = new_job(make_user("alice"))
    committed: list[bool] = []
    with messages() as sent:
        with DjangoUnitOfWork() as uow:
            uow.jobs.add(job)
            uow.after_commit(lambda: committed.append(JobRecord.objects.filter(id=job.id).exists()))
            uow.commit()
        after = committed_jobs(job.id)

    text, callback = sent  # the callback's query comes after the commit
    assert text.startswith("BEGIN; INSERT INTO") and text.endswith("; COMMIT"), text
    assert callback.startswith("SELECT"), callback
    assert (after, committed) == (1, [True]), "committed for every other connection, then the callbacks ran"


def test_inside_an_outer_block_the_commit_is_left_to_that_block(make_user) -> None:  # type: ignore[no-untyped-def]
    job = new_job(make_user("alice"))

    def outer_block_that_fails() -> None:
        with transaction.atomic():
            with DjangoUnitOfWork() as uow:
                uow.jobs.add(job)
                uow.commit()
            raise RuntimeError("the outer block fails")

    with messages() as sent, pytest.raises(RuntimeError):
        outer_block_that_fails()

    assert not any("COMMIT" in text for text in sent), sent
    assert not JobRecord.objects.filter(id=job.id).exists()


def committed_jobs(job_id: uuid.UUID) -> int:
    """Jobs with this id as another connection sees them: what was committed, only that."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"], dbname=database["NAME"]
    ) as other:
        row = other.execute("SELECT count(*) FROM job WHERE id = %s", [job_id]).fetchone()
        assert row is not None
        return int(row[0])


@pytest.mark.django_db(transaction=True)
def test_a_relaxed_commit_does_not_wait_for_the_wal_and_the_next_transaction_does() -> None:
    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    with DjangoUnitOfWork() as uow:
        uow.relax_durability()
        relaxed = synchronous_commit()  # the setting travels with this statement
        uow.commit()
        after = synchronous_commit()

    assert (relaxed, after) == ("off", "on")


def test_an_idempotency_key_claimed_with_the_commit_travels_with_it_in_one_round_trip(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    now = datetime.now(UTC)

    def submit(key: str) -> None:
        with DjangoUnitOfWork() as uow:
            uow.jobs.add(new_job(owner))
            uow.idempotency.claim_with_commit(
                owner, key, fingerprint="f", now=now, expires_at=now + timedelta(hours=1), response=None
            )
            uow.commit()

    submit("key-1")  # the connection prepares its statements once
    with messages() as sent:
        submit("key-2")

    assert len(sent) == 1, sent
    (text,) = sent
    assert text.startswith("BEGIN; INSERT INTO") and text.endswith("; COMMIT"), text
    assert "EXECUTE" in text, text
