"""The worker's heartbeat thread keeps the lease alive and brings back cancel requests."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from adapters.clock import SystemClock
from adapters.orm.heartbeat import DjangoHeartbeat
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.errors import AttemptAborted
from domain.job import Job

LEASE = 0.6


def running_job(owner: int) -> Job:
    clock = SystemClock()
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=owner, queue="q", max_attempts=3, now=clock.now(), actor="u")
    job.start(now=clock.now(), worker="w", lease_seconds=LEASE)
    with DjangoUnitOfWork() as uow:
        uow.jobs.add(job)
        uow.commit()
    return job


def reload(job: Job) -> Job:
    with DjangoUnitOfWork() as uow:
        fresh = uow.jobs.get(job.id)
    assert fresh is not None
    return fresh


@pytest.mark.django_db(transaction=True)
def test_the_lease_keeps_moving_while_the_work_goes_on(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))

    with DjangoHeartbeat(SystemClock()).keep_alive(job.id, 1, lease_seconds=LEASE) as lease:
        time.sleep(LEASE * 2)
        lease.checkpoint(0.4)
        time.sleep(LEASE)
        during = reload(job)

    assert during.lease_expires_at is not None and job.lease_expires_at is not None
    assert during.lease_expires_at > job.lease_expires_at + timedelta(seconds=LEASE)
    assert during.progress == 0.4


@pytest.mark.django_db(transaction=True)
def test_a_cancel_request_stops_the_work_at_its_next_checkpoint(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))

    with DjangoHeartbeat(SystemClock()).keep_alive(job.id, 1, lease_seconds=LEASE) as lease:
        with DjangoUnitOfWork() as uow:
            locked = uow.jobs.get(job.id, for_update=True)
            assert locked is not None
            locked.request_cancel(now=SystemClock().now(), actor="user:1")
            uow.jobs.save(locked)
            uow.commit()
        time.sleep(LEASE)
        with pytest.raises(AttemptAborted, match="cancel requested"):
            lease.checkpoint()


@pytest.mark.django_db(transaction=True)
def test_work_whose_attempt_was_handed_on_stops_at_its_next_checkpoint(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))

    with DjangoHeartbeat(SystemClock()).keep_alive(job.id, 7, lease_seconds=LEASE) as lease:
        time.sleep(LEASE)
        with pytest.raises(AttemptAborted, match="handed on"):
            lease.checkpoint()
