"""A job's save updates only the columns its transition changed; a rolled-back save leaves no
belief behind that its row holds what it tried to write."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adapters.orm.models import JobRecord
from adapters.orm.statements import DEFERRED_WRITES
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.errors import ConcurrentUpdate
from domain.job import Job

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def queued_job(owner_id: int) -> Job:
    job = Job.create(
        id=uuid.uuid4(), kind="report.process", owner_id=owner_id, queue="default", max_attempts=3, now=T0, actor="t"
    )
    uow = DjangoUnitOfWork()
    with uow:
        uow.jobs.add(job)
        uow.commit()
    return job


def start_and_save(uow: DjangoUnitOfWork, job_id: uuid.UUID) -> tuple[Job, int]:
    """Inside an open unit of work: the job read locked, started and saved; and how many
    writes then wait for the next statement."""
    job = uow.jobs.get(job_id, for_update=True)
    assert job is not None
    job.start(now=T0, worker="w1", lease_seconds=30)
    uow.jobs.save(job)
    return job, len(getattr(connection, DEFERRED_WRITES)._waiting)


def set_columns(statement: str) -> set[str]:
    assignments = statement.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    return {part.split("=")[0].strip().strip('"') for part in assignments.split(", ") if "=" in part}


def test_a_start_updates_the_columns_it_changed_and_the_payload(make_user: Callable[[str], int], settings: Any) -> None:
    settings.DATABASE_PREPARED_STATEMENTS = False  # the UPDATE's text is read, not EXECUTE of its name
    job_id = queued_job(make_user("alice")).id
    uow = DjangoUnitOfWork()

    with uow, CaptureQueriesContext(connection) as queries:
        job = uow.jobs.get(job_id, for_update=True)
        assert job is not None
        job.start(now=T0 + timedelta(seconds=1), worker="w1", lease_seconds=30)
        uow.jobs.save(job)
        uow.commit()

    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "job"')]
    assert len(updates) == 1
    written = set_columns(updates[0])
    assert {"status", "attempts", "worker", "started_at", "lease_expires_at", "last_event_seq"} <= written
    assert "payload" in written, "a value that can change in place is always written"
    assert not written & {"owner_id", "kind", "queue", "created_at", "max_attempts", "priority", "error_detail"}
    row = JobRecord.objects.get(id=job_id)
    assert (row.status, row.attempts, row.worker) == ("running", 1, "w1")


def test_a_save_after_a_rollback_writes_every_column_again(make_user: Callable[[str], int]) -> None:
    job_id = queued_job(make_user("alice")).id
    uow = DjangoUnitOfWork()
    with uow:
        job = uow.jobs.get(job_id, for_update=True)
        assert job is not None
        job.progress = 0.5
        uow.jobs.save(job)  # never committed: rolled back when the unit of work closes

    with uow:
        uow.jobs.save(job)  # the same change, whose row still holds 0.0
        uow.commit()

    assert JobRecord.objects.get(id=job_id).progress == 0.5


def test_a_column_changed_by_another_writer_is_kept_when_the_save_did_not_change_it(
    make_user: Callable[[str], int],
) -> None:
    job_id = queued_job(make_user("alice")).id
    uow = DjangoUnitOfWork()
    with uow:
        job, _ = start_and_save(uow, job_id)
        uow.commit()
    renewed = T0 + timedelta(minutes=5)
    uow.jobs.renew_lease(job_id, 1, until=renewed, progress=0.25)  # the lease keeper, meanwhile

    with uow:
        job.priority = 7
        uow.jobs.save(job)
        uow.commit()

    row = JobRecord.objects.get(id=job_id)
    assert (row.priority, row.lease_expires_at, row.progress) == (7, renewed, 0.25)


def test_the_update_of_a_job_whose_row_this_transaction_locked_travels_with_the_next_statement(
    make_user: Callable[[str], int],
) -> None:
    job_id = queued_job(make_user("alice")).id
    uow = DjangoUnitOfWork()

    with uow:
        _, waiting = start_and_save(uow, job_id)
        uow.commit()

    assert waiting == 2, "the job's UPDATE and its event's INSERT wait for the next statement"
    assert JobRecord.objects.get(id=job_id).status == "running"


def test_a_job_read_without_its_lock_or_twice_is_still_compared_and_set(make_user: Callable[[str], int]) -> None:
    job_id = queued_job(make_user("alice")).id
    uow = DjangoUnitOfWork()

    for second_read_locked in (True, False):
        with uow:
            first = uow.jobs.get(job_id, for_update=True)
            second = uow.jobs.get(job_id, for_update=second_read_locked)
            assert first is not None and second is not None
            first.start(now=T0, worker="w1", lease_seconds=30)
            uow.jobs.save(first)
            second.start(now=T0, worker="w2", lease_seconds=30)
            uow.jobs.save(second)  # its compare-and-set waits, checked, for the next statement
            with pytest.raises(ConcurrentUpdate):
                uow.commit()
        assert JobRecord.objects.get(id=job_id).status == "queued", "nothing of it committed"

    with uow:
        unlocked = uow.jobs.get(job_id)
        assert unlocked is not None
        unlocked.start(now=T0, worker="w3", lease_seconds=30)
        uow.jobs.save(unlocked)
        assert len(getattr(connection, DEFERRED_WRITES)._waiting) == 2, "the checked UPDATE and the event wait"
        uow.commit()
    assert JobRecord.objects.get(id=job_id).worker == "w3"


def test_a_checked_update_that_finds_its_row_changed_fails_the_statement_it_travels_with(
    make_user: Callable[[str], int],
) -> None:
    job_id = queued_job(make_user("alice")).id
    uow = DjangoUnitOfWork()
    with uow:
        stale = uow.jobs.get(job_id)  # not locked: another writer may change the row meanwhile
        assert stale is not None
        uow.commit()
    with uow:
        start_and_save(uow, job_id)  # that other writer
        uow.commit()

    stale.cancel(now=T0, actor="user")
    with uow:
        uow.jobs.save(stale)
        with pytest.raises(ConcurrentUpdate) as refused:
            JobRecord.objects.filter(id=job_id).count()  # any statement: the writes travel with it

    assert refused.value.job_id == job_id
    assert JobRecord.objects.get(id=job_id).status == "running"


@pytest.mark.django_db(transaction=True)
def test_a_job_locked_to_be_changed_brings_its_own_report_in_the_same_statement(
    make_user: Callable[[str], int],
) -> None:
    from tests.integration.test_repository_contract import add_report, new_job

    owner = make_user("alice")
    job, report = add_report(DjangoUnitOfWork(), owner)
    plain = new_job(owner)
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(plain)
        uow.commit()

    uow = DjangoUnitOfWork()
    with uow, CaptureQueriesContext(connection) as first:
        locked = uow.jobs.get(job.id, for_update=True)
        its_report = uow.reports.get(report.id)
        uow.commit()
    with uow, CaptureQueriesContext(connection) as again:
        uow.jobs.get(job.id, for_update=True)  # read ahead, never asked for in this transaction
        uow.commit()
        fresh = uow.reports.get(report.id)  # the transaction that read it ahead ended: read again
        uow.commit()
    with uow:
        alone = uow.jobs.get(plain.id, for_update=True)  # a job no report belongs to

    assert locked is not None and locked.id == job.id
    assert its_report is not None and (its_report.id, its_report.blob_key) == (report.id, report.blob_key)
    assert fresh is not None and vars(fresh) == vars(its_report)
    assert alone is not None and alone.id == plain.id
    assert len(reads(first.captured_queries)) == 1, reads(first.captured_queries)
    assert len(reads(again.captured_queries)) == 2, reads(again.captured_queries)


def reads(captured: list[dict[str, str]]) -> list[str]:
    """The statements that read rows (a statement's first PREPARE and its savepoint aside)."""
    return [q["sql"] for q in captured if q["sql"].removeprefix("BEGIN; ").startswith(("EXECUTE", "SELECT"))]


@pytest.mark.django_db(transaction=True)
def test_a_job_and_its_report_read_for_a_claim_are_what_a_plain_read_gives(
    make_user: Callable[[str], int],
) -> None:
    """The claim's read maps its row straight into the domain objects (no model instance): every
    column, its JSON and timestamps included, reads as the model would read it."""
    from tests.integration.test_repository_contract import add_report

    owner = make_user("alice")
    job, report = add_report(DjangoUnitOfWork(), owner)
    uow = DjangoUnitOfWork()
    with uow:
        started = uow.jobs.get(job.id, for_update=True)
        assert started is not None
        started.start(now=T0, worker="w1", lease_seconds=30)
        uow.jobs.save(started)
        uow.commit()

    with uow:
        claimed, its_report = uow.jobs.get(job.id, for_update=True), uow.reports.get(report.id)
    with uow:
        plain = uow.jobs.get(job.id)
        plain_report = uow.reports.get(report.id)

    assert claimed is not None and plain is not None and its_report is not None
    assert vars(claimed) == vars(plain)
    assert vars(its_report) == vars(plain_report)
    assert (claimed.worker, claimed.status, claimed.lease_expires_at) == ("w1", "running", T0 + timedelta(seconds=30))
    assert its_report.declared_schema is not None and its_report.declared_schema.definition["columns"]
