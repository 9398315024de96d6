from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, transaction

from adapters.orm.models import JobEventRecord
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.job import Job


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_or_delete_an_audit_event(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    job = Job.create(
        id=uuid.uuid4(), kind="k", owner_id=owner, queue="q", max_attempts=1, now=datetime.now(UTC), actor="u"
    )
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)
        uow.commit()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JobEventRecord.objects.filter(job_id=job.id).update(message="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JobEventRecord.objects.filter(job_id=job.id).delete()

    assert JobEventRecord.objects.get(job_id=job.id).message == "accepted"
