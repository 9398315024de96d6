"""Every job's audit trail is a hash chain: `manage.py verify_audit` recomputes it and names the
first event changed behind the append-only triggers."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
import structlog
from django.core.management import CommandError, call_command
from django.db import connection

from adapters.orm.models import JobEventRecord, JobRecord
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.job import Job

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def job_with_three_events(owner: int) -> Job:
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=owner, queue="q", max_attempts=2, now=NOW, actor="user:1")
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)
        uow.commit()
    for step in ("start", "succeed"):
        with DjangoUnitOfWork() as uow:
            stored = uow.jobs.get(job.id, for_update=True)
            assert stored is not None
            if step == "start":
                stored.start(now=NOW, worker="w1", lease_seconds=30)
            else:
                stored.succeed(now=NOW, actor="worker:w1")
            uow.jobs.save(stored)
            uow.commit()
    return job


def rewrite_behind_the_triggers(job_id: uuid.UUID, seq: int, message: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE job_event DISABLE TRIGGER job_event_append_only")
        cursor.execute("UPDATE job_event SET message = %s WHERE job_id = %s AND seq = %s", [message, job_id, seq])
        cursor.execute("ALTER TABLE job_event ENABLE TRIGGER job_event_append_only")


@pytest.mark.django_db(transaction=True)
def test_each_event_is_chained_on_the_previous_one_and_the_job_holds_the_last_hash(make_user) -> None:  # type: ignore[no-untyped-def]
    job = job_with_three_events(make_user("alice"))

    events = list(JobEventRecord.objects.filter(job_id=job.id).order_by("seq"))

    assert [e.seq for e in events] == [1, 2, 3]
    previous = ""
    for record in events:
        assert len(record.hash) == 64 and record.hash != previous
        previous = record.hash
    assert JobRecord.objects.get(id=job.id).last_event_hash == events[-1].hash
    out = io.StringIO()
    call_command("verify_audit", job=job.id, stdout=out)
    assert "verified" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_event_edited_with_the_triggers_disabled_fails_verification_naming_it(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    intact, tampered = job_with_three_events(owner), job_with_three_events(owner)
    rewrite_behind_the_triggers(tampered.id, 2, "nothing to see here")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 audit chain"):
        call_command("verify_audit", stderr=err)

    assert err.getvalue().strip() == (
        f"job {tampered.id}: event 2 breaks the audit chain: its hash does not match its fields and its predecessor"
    )
    call_command("verify_audit", job=intact.id, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_events_of_a_request_record_its_id_and_the_tokens_id_and_both_are_sealed(make_user) -> None:  # type: ignore[no-untyped-def]
    structlog.contextvars.bind_contextvars(request_id="req-5", token_id="5e0b7c0e-token-id")
    try:
        job = job_with_three_events(make_user("alice"))
    finally:
        structlog.contextvars.clear_contextvars()

    first = JobEventRecord.objects.get(job_id=job.id, seq=1)
    assert (first.request_id, first.token_id) == ("req-5", "5e0b7c0e-token-id")
    rewrite_behind_the_triggers(job.id, 1, first.message)  # unchanged: still verifies
    call_command("verify_audit", job=job.id, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE job_event DISABLE TRIGGER job_event_append_only")
        cursor.execute("UPDATE job_event SET token_id = '' WHERE job_id = %s AND seq = 1", [job.id])
        cursor.execute("ALTER TABLE job_event ENABLE TRIGGER job_event_append_only")
    with pytest.raises(CommandError):
        call_command("verify_audit", job=job.id, stderr=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_removed_last_event_is_detected_by_the_hash_the_job_holds(make_user) -> None:  # type: ignore[no-untyped-def]
    job = job_with_three_events(make_user("alice"))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE job_event DISABLE TRIGGER job_event_append_only")
        cursor.execute("DELETE FROM job_event WHERE job_id = %s AND seq = 3", [job.id])
        cursor.execute("ALTER TABLE job_event ENABLE TRIGGER job_event_append_only")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("verify_audit", job=job.id, stderr=err)

    assert "event 2" in err.getvalue() and "last event hash" in err.getvalue()
