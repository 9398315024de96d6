"""Engine statistics: one contract for the in-memory and the Django adapter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import InMemoryUnitOfWork
from adapters.memory.statistics import InMemoryEngineStatistics
from adapters.orm.statistics import DjangoEngineStatistics
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.errors import TransientError
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Delivery, UnitOfWork
from domain.ports.statistics import EngineStatistics, JobGroup

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", pytest.param("django", marks=pytest.mark.django_db(transaction=True))])
def world(request: pytest.FixtureRequest) -> Iterator[tuple[UnitOfWork, EngineStatistics, int]]:
    if request.param == "memory":
        uow = InMemoryUnitOfWork()
        yield uow, InMemoryEngineStatistics(uow.state), 1
    else:
        yield DjangoUnitOfWork(), DjangoEngineStatistics(), request.getfixturevalue("make_user")("alice")


def job(owner: int, *, kind: str = "report.process", queue: str = "reports", at: datetime = T0) -> Job:
    return Job.create(id=uuid.uuid4(), kind=kind, owner_id=owner, queue=queue, max_attempts=3, now=at, actor="u")


def test_jobs_are_grouped_by_kind_queue_and_status_with_their_oldest_moments(
    world: tuple[UnitOfWork, EngineStatistics, int],
) -> None:
    uow, statistics, owner = world
    early, late, chunk = job(owner, at=T0), job(owner, at=T0 + timedelta(seconds=5)), job(owner, kind="report.chunk")
    running, lost, retrying = job(owner), job(owner), job(owner)
    running.start(now=T0, worker="w", lease_seconds=30)
    lost.start(now=T0, worker="w", lease_seconds=10)
    retrying.start(now=T0, worker="w", lease_seconds=30)
    retrying.retry(TransientError("x"), now=T0, retry_at=T0 + timedelta(seconds=60), actor="w")
    with uow:
        for each in (early, late, chunk, running, lost, retrying):
            uow.jobs.add(each)
        uow.commit()

    groups = sorted(statistics.job_groups(), key=lambda g: (g.kind, g.status.value))

    assert groups == [
        JobGroup(kind="report.chunk", queue="reports", status=JobStatus.QUEUED, count=1, oldest_due_at=T0),
        JobGroup(kind="report.process", queue="reports", status=JobStatus.QUEUED, count=2, oldest_due_at=T0),
        JobGroup(
            kind="report.process",
            queue="reports",
            status=JobStatus.RETRYING,
            count=1,
            oldest_due_at=T0 + timedelta(seconds=60),
        ),
        JobGroup(
            kind="report.process",
            queue="reports",
            status=JobStatus.RUNNING,
            count=2,
            oldest_lease_expiry=T0 + timedelta(seconds=10),
        ),
    ]


def test_a_fanned_out_parent_holds_no_lease_to_be_overdue(world: tuple[UnitOfWork, EngineStatistics, int]) -> None:
    uow, statistics, owner = world
    parent = job(owner)
    parent.start(now=T0, worker="w", lease_seconds=10)
    parent.fan_out(2, now=T0, actor="w")
    with uow:
        uow.jobs.add(parent)
        uow.commit()

    (group,) = statistics.job_groups()

    assert (group.status, group.count, group.oldest_lease_expiry) == (JobStatus.RUNNING, 1, None)


def test_the_backlog_counts_due_unpublished_deliveries_only(world: tuple[UnitOfWork, EngineStatistics, int]) -> None:
    uow, statistics, owner = world
    jobs = [job(owner) for _ in range(3)]
    with uow:
        for each, available_at in zip(jobs, (T0, T0 + timedelta(seconds=3), T0 + timedelta(hours=1)), strict=True):
            uow.jobs.add(each)
            delivery = Delivery(job_id=each.id, kind=each.kind, attempt=1, queue=each.queue)
            uow.outbox.add_many([delivery], available_at=available_at, now=T0)
        (first,) = uow.outbox.claim_due(T0, limit=10)
        assert first.id is not None
        uow.outbox.mark_published([first.id], now=T0)
        uow.commit()

    backlog = statistics.outbox_backlog(T0 + timedelta(seconds=10))

    assert (backlog.count, backlog.oldest_available_at) == (1, T0 + timedelta(seconds=3))


def test_a_running_job_without_a_lease_counts_as_lost_since_its_attempt_started(
    world: tuple[UnitOfWork, EngineStatistics, int],
) -> None:
    uow, statistics, owner = world
    orphan = job(owner)
    orphan.start(now=T0 + timedelta(seconds=2), worker="w", lease_seconds=10)
    orphan.lease_expires_at = None  # as Job.is_lease_expired reads it: no lease is a lost lease

    with uow:
        uow.jobs.add(orphan)
        uow.commit()
    (group,) = statistics.job_groups()

    assert group.oldest_lease_expiry == T0 + timedelta(seconds=2)
