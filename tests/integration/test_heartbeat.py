"""A running attempt's lease: renewed by the keeper thread, read back at checkpoints."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest

from adapters.clock import SystemClock
from adapters.orm.heartbeat import DjangoHeartbeat
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.errors import AttemptAborted, AttemptHandedBack
from domain.job import Job

LEASE = 0.6
CHECK = 0.1


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


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    """Poll until `condition` holds; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - started


def aborts(lease: object, error: type[Exception]) -> Callable[[], bool]:
    def check() -> bool:
        try:
            lease.checkpoint()  # type: ignore[attr-defined]
        except error:
            return True
        return False

    return check


@pytest.mark.django_db(transaction=True)
def test_the_lease_keeps_moving_while_the_work_goes_on(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))
    first = job.lease_expires_at
    assert first is not None

    with DjangoHeartbeat(SystemClock(), check_seconds=CHECK).keep_alive(job.id, 1, lease_seconds=LEASE) as lease:
        lease.checkpoint(0.4)
        eventually(lambda: (reload(job).lease_expires_at or first) > first + timedelta(seconds=LEASE))
        eventually(lambda: reload(job).progress == 0.4)


@pytest.mark.django_db(transaction=True)
def test_a_cancel_request_stops_the_work_within_a_check_interval(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))

    with DjangoHeartbeat(SystemClock(), check_seconds=CHECK).keep_alive(job.id, 1, lease_seconds=30) as lease:
        with DjangoUnitOfWork() as uow:
            locked = uow.jobs.get(job.id, for_update=True)
            assert locked is not None
            locked.request_cancel(now=SystemClock().now(), actor="user:1")
            uow.jobs.save(locked)
            uow.commit()
        seen_after = eventually(aborts(lease, AttemptAborted))

    assert seen_after < CHECK + 0.5, "seen at the next read-back, not at the next lease renewal (10 s)"


@pytest.mark.django_db(transaction=True)
def test_work_whose_attempt_was_handed_on_stops_at_its_next_checkpoint(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))

    with DjangoHeartbeat(SystemClock(), check_seconds=CHECK).keep_alive(job.id, 7, lease_seconds=LEASE) as lease:
        eventually(aborts(lease, AttemptAborted))
        with pytest.raises(AttemptAborted, match="handed on"):
            lease.checkpoint()


@pytest.mark.django_db(transaction=True)
def test_a_stopping_worker_makes_the_next_checkpoint_hand_the_job_back(make_user) -> None:  # type: ignore[no-untyped-def]
    job = running_job(make_user("alice"))
    stopping = {"reason": ""}

    heartbeat = DjangoHeartbeat(SystemClock(), check_seconds=CHECK, stopping=lambda: stopping["reason"])
    with heartbeat.keep_alive(job.id, 1, lease_seconds=30) as lease:
        lease.checkpoint()
        stopping["reason"] = "the worker is stopping (SIGTERM)"
        with pytest.raises(AttemptHandedBack, match="SIGTERM"):
            lease.checkpoint()


class CountedEvent(threading.Event):
    def __init__(self) -> None:
        super().__init__()
        self.sets = 0

    def set(self) -> None:
        self.sets += 1
        super().set()


@pytest.mark.django_db(transaction=True)
def test_short_attempts_come_and_go_without_waking_the_keeper_but_a_long_one_is_renewed(make_user) -> None:  # type: ignore[no-untyped-def]
    heartbeat = DjangoHeartbeat(SystemClock(), check_seconds=CHECK)
    wake = heartbeat._keeper._wake = CountedEvent()
    job = running_job(make_user("alice"))
    first = job.lease_expires_at
    assert first is not None

    for attempt in range(1, 51):  # attempts that end long before their first renewal
        with heartbeat.keep_alive(uuid.uuid4(), attempt, lease_seconds=LEASE):
            pass
    woken_by_short_ones = wake.sets
    with heartbeat.keep_alive(job.id, 1, lease_seconds=LEASE):  # one that runs past its renewals
        eventually(lambda: (reload(job).lease_expires_at or first) > first + timedelta(seconds=LEASE))

    assert woken_by_short_ones <= 1, "only the first lease after an idle keeper may need to wake it"
