"""The outbox, Idempotency-Key and dead-message repositories: one contract, both adapters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import InMemoryUnitOfWork
from adapters.memory.outbox import InMemoryPublishedMarks
from adapters.orm.outbox import DjangoPublishedMarks
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.job import Job
from domain.ports import Delivery, UnitOfWork
from domain.ports.idempotency import IdempotencyKeyHeld

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", pytest.param("django", marks=pytest.mark.django_db(transaction=True))])
def uow_and_owner(request: pytest.FixtureRequest) -> Iterator[tuple[UnitOfWork, int]]:
    if request.param == "memory":
        yield InMemoryUnitOfWork(), 1
    else:
        yield DjangoUnitOfWork(), request.getfixturevalue("make_user")("alice")


CORRELATION = {"request_id": "req-1", "user_id": "1"}


def delivery_of(job: Job, *, attempt: int = 1) -> Delivery:
    return Delivery(job_id=job.id, kind=job.kind, attempt=attempt, queue="reports", correlation=CORRELATION)


def a_job(owner: int) -> Job:
    return Job.create(
        id=uuid.uuid4(), kind="report.process", owner_id=owner, queue="reports", max_attempts=3, now=T0, actor="u"
    )


def job_with_delivery(uow: UnitOfWork, owner: int, *, available_at: datetime) -> tuple[Job, int]:
    """A job and its outbox entry's id (read back: adding an entry returns nothing)."""
    job = a_job(owner)
    with uow:
        uow.jobs.add(job)
        uow.outbox.add_many([delivery_of(job)], available_at=available_at, now=T0)
        uow.commit()
    with uow:
        (entry,) = [e for e in uow.outbox.claim_due(available_at, limit=100) if e.delivery.job_id == job.id]
    assert entry.id is not None
    return job, entry.id


def test_several_deliveries_added_at_once_are_claimed_in_the_order_given(
    uow_and_owner: tuple[UnitOfWork, int],
) -> None:
    uow, owner = uow_and_owner
    jobs = [
        Job.create(id=uuid.uuid4(), kind="report.process", owner_id=owner, queue="q", max_attempts=3, now=T0, actor="u")
        for _ in range(3)
    ]
    deliveries = [
        Delivery(job_id=job.id, kind=job.kind, attempt=1, queue=f"q{n}", correlation=CORRELATION)
        for n, job in enumerate(jobs)
    ]
    with uow:
        for job in jobs:
            uow.jobs.add(job)
        uow.outbox.add_many(deliveries, available_at=T0, now=T0)
        uow.commit()

    with uow:
        claimed = uow.outbox.claim_due(T0, limit=10)

    assert [entry.delivery for entry in claimed] == deliveries
    assert len({entry.id for entry in claimed}) == 3


def test_a_delivery_is_marked_published_on_every_unpublished_entry_of_its_job_and_attempt(
    uow_and_owner: tuple[UnitOfWork, int],
) -> None:
    uow, owner = uow_and_owner
    marks = InMemoryPublishedMarks(uow.state) if isinstance(uow, InMemoryUnitOfWork) else DjangoPublishedMarks()
    first, second = (
        Job.create(id=uuid.uuid4(), kind="report.process", owner_id=owner, queue="q", max_attempts=3, now=T0, actor="u")
        for _ in range(2)
    )
    with uow:
        uow.jobs.add(first)
        uow.jobs.add(second)
        # the same attempt twice (a resend written before the first was published), a later one, another job's
        uow.outbox.add_many([delivery_of(first)] * 2, available_at=T0, now=T0)
        uow.outbox.add_many([delivery_of(first, attempt=2), delivery_of(second)], available_at=T0, now=T0)
        uow.commit()

    marks.mark_published([delivery_of(first)], now=T0)
    with uow:
        pending = [(entry.delivery.job_id, entry.delivery.attempt) for entry in uow.outbox.claim_due(T0, limit=10)]

    assert pending == [(first.id, 2), (second.id, 1)]


def test_only_due_unpublished_entries_are_claimed_oldest_first(uow_and_owner: tuple[UnitOfWork, int]) -> None:
    uow, owner = uow_and_owner
    _, later = job_with_delivery(uow, owner, available_at=T0 + timedelta(seconds=10))
    _, sooner = job_with_delivery(uow, owner, available_at=T0 + timedelta(seconds=5))
    _, published = job_with_delivery(uow, owner, available_at=T0)
    with uow:
        uow.outbox.mark_published([published], now=T0)
        uow.commit()

    with uow:
        at_start = uow.outbox.claim_due(T0, limit=10)
        at_seven = uow.outbox.claim_due(T0 + timedelta(seconds=7), limit=10)
        at_end = uow.outbox.claim_due(T0 + timedelta(seconds=60), limit=10)
        only_later = uow.outbox.claim_due(T0 + timedelta(seconds=60), limit=10, ids=[later])

    assert at_start == []
    assert {entry.delivery.correlation["request_id"] for entry in at_end} == {"req-1"}, "kept for the headers"
    assert [e.id for e in at_seven] == [sooner]
    assert [e.id for e in at_end] == [sooner, later]
    assert [e.id for e in only_later] == [later]
    assert at_end[0].delivery.attempt == 1


def test_pending_deliveries_are_known_per_job_and_old_published_ones_purged(
    uow_and_owner: tuple[UnitOfWork, int],
) -> None:
    uow, owner = uow_and_owner
    job, entry = job_with_delivery(uow, owner, available_at=T0)

    with uow:
        pending_before = uow.outbox.has_pending(job.id)
        uow.outbox.record_failure([delivery_of(job)], error="down")
        uow.outbox.mark_published([entry], now=T0)
        pending_after = uow.outbox.has_pending(job.id)
        purged_too_soon = uow.outbox.purge_published(T0)
        purged = uow.outbox.purge_published(T0 + timedelta(seconds=1))
        uow.commit()

    assert (pending_before, pending_after, purged_too_soon, purged) == (True, False, 0, 1)


def test_an_idempotency_key_is_claimed_once_per_owner_until_it_expires(
    uow_and_owner: tuple[UnitOfWork, int],
) -> None:
    uow, owner = uow_and_owner
    expires, later = T0 + timedelta(hours=24), T0 + timedelta(hours=48)

    with uow:
        first = uow.idempotency.claim(owner, "k", fingerprint="f1", now=T0, expires_at=expires, response={"id": "x"})
        held = uow.idempotency.claim(owner, "k", fingerprint="f2", now=T0, expires_at=expires)
        uow.idempotency.claim(owner, "j", fingerprint="f1", now=T0, expires_at=expires)
        in_flight = uow.idempotency.claim(owner, "j", fingerprint="f1", now=T0, expires_at=expires)
        after_expiry = uow.idempotency.claim(owner, "k", fingerprint="f3", now=expires, expires_at=later)
        taken_over = uow.idempotency.claim(owner, "k", fingerprint="f1", now=expires, expires_at=later)
        uow.commit()

    assert first is None
    assert held is not None and (held.fingerprint, held.response) == ("f1", {"id": "x"})
    assert in_flight is not None and in_flight.response is None
    assert after_expiry is None
    assert taken_over is not None and (taken_over.fingerprint, taken_over.response) == ("f3", None)


def test_keys_claimed_in_a_rolled_back_transaction_and_expired_keys_are_forgotten(
    uow_and_owner: tuple[UnitOfWork, int],
) -> None:
    uow, owner = uow_and_owner
    with uow:  # not committed
        uow.idempotency.claim(owner, "a", fingerprint="f", now=T0, expires_at=T0 + timedelta(hours=1))

    with uow:
        uow.idempotency.claim(owner, "b", fingerprint="f", now=T0, expires_at=T0 + timedelta(hours=2))
        uow.commit()
        purged = uow.idempotency.purge_expired(T0 + timedelta(hours=2))
        reclaimed = uow.idempotency.claim(owner, "a", fingerprint="g", now=T0, expires_at=T0 + timedelta(hours=1))
        uow.commit()

    assert (purged, reclaimed) == (1, None)


def test_a_key_claimed_with_the_commit_fails_the_transaction_when_a_live_record_holds_it(
    uow_and_owner: tuple[UnitOfWork, int],
) -> None:
    uow, owner = uow_and_owner
    expires, later = T0 + timedelta(hours=24), T0 + timedelta(hours=48)
    with uow:
        uow.idempotency.claim_with_commit(owner, "k", fingerprint="f1", now=T0, expires_at=expires, response={"a": 1})
        uow.jobs.add(a_job(owner))
        uow.commit()

    loser = a_job(owner)

    def lose() -> None:
        with uow:
            uow.jobs.add(loser)
            uow.idempotency.claim_with_commit(owner, "k", fingerprint="f2", now=T0, expires_at=expires, response=None)
            uow.commit()

    with pytest.raises(IdempotencyKeyHeld):  # raised by the claim, or by the commit it travels with
        lose()

    with uow:
        held = uow.idempotency.claim(owner, "k", fingerprint="f3", now=T0, expires_at=expires)
        lost = uow.jobs.get(loser.id)
        uow.idempotency.claim_with_commit(owner, "k", fingerprint="f4", now=expires, expires_at=later, response=None)
        uow.commit()  # expired: taken over
        taken_over = uow.idempotency.claim(owner, "k", fingerprint="f5", now=expires, expires_at=later)

    assert held is not None and (held.fingerprint, held.response) == ("f1", {"a": 1})
    assert lost is None, "the failed transaction committed nothing"
    assert taken_over is not None and taken_over.fingerprint == "f4"


def test_dead_messages_are_kept(uow_and_owner: tuple[UnitOfWork, int]) -> None:
    uow, _ = uow_and_owner

    with uow:
        uow.dead_messages.add(task="reports.process", payload={"kwargs": {}}, reason="job_id missing", received_at=T0)
        uow.commit()
    with uow:
        count = uow.dead_messages.count()

    assert count == 1
