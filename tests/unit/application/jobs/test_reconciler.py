from __future__ import annotations

import itertools
from datetime import timedelta

from application.reports.kinds import ReportKindSettings
from domain.job_status import JobStatus
from domain.ports import QueueUnavailable, TakenDelivery
from tests.unit.application.conftest import World


def start_and_abandon(world: World) -> object:
    """A job whose worker claimed it and then died without a word."""
    submitted = world.submit()
    with world.uow as uow:
        job = uow.jobs.get(submitted.job.id)
        assert job is not None
        job.start(now=world.clock.now(), worker="doomed", lease_seconds=world.settings.lease_seconds)
        uow.jobs.save(job)
        uow.commit()
    return submitted.job.id


def test_a_job_whose_worker_died_is_handed_on_once_its_lease_expires(world: World) -> None:
    job_id = start_and_abandon(world)

    world.clock.advance(world.settings.lease_seconds - 1)
    early = world.reconcile()
    world.clock.advance(2)
    late = world.reconcile()

    job = world.job(job_id)
    assert (early.leases_expired, late.leases_expired) == (0, 1)
    assert job.status is JobStatus.RETRYING
    assert "stopped renewing its lease" in job.error
    assert world.uow.state.events[job_id][-1].actor == "system:reconciler"


def test_the_next_attempt_after_a_lost_worker_runs_and_succeeds(world: World) -> None:
    job_id = start_and_abandon(world)
    world.clock.advance(world.settings.lease_seconds + 1)
    world.reconcile()
    world.clock.advance(10)
    world.relay()

    delivery = world.queue.deliveries[-1]
    world.process(delivery.job_id, attempt=delivery.attempt)

    assert (delivery.attempt, world.job(job_id).status) == (2, JobStatus.SUCCEEDED)


def test_a_lost_worker_on_the_last_attempt_sends_the_job_to_the_dead_letters(world: World) -> None:
    world.kind_settings = ReportKindSettings(max_attempts=1)
    job_id = start_and_abandon(world)

    world.clock.advance(world.settings.lease_seconds + 1)
    world.reconcile()

    assert world.job(job_id).status is JobStatus.DEAD


def test_a_waiting_job_whose_message_was_lost_is_delivered_again(world: World) -> None:
    submitted = world.submit()  # published once; pretend the broker lost it

    world.clock.advance(world.settings.redelivery_after_seconds - 1)
    early = world.reconcile()
    world.clock.advance(2)
    late = world.reconcile()
    again = world.reconcile()

    assert (early.redelivered, late.redelivered, again.redelivered) == (0, 1, 0)
    assert [d.attempt for d in world.queue.deliveries] == [1, 1]
    assert world.uow.state.events[submitted.job.id][-1].message == "delivery sent again"


def test_a_waiting_job_with_an_unpublished_delivery_is_left_to_the_relay(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("down")
    world.submit()
    world.clock.advance(world.settings.redelivery_after_seconds + 1)

    report = world.reconcile()

    assert report.redelivered == 0
    assert world.queue.deliveries == []


def test_an_expired_lease_of_a_job_asked_to_cancel_cancels_it(world: World) -> None:
    job_id = start_and_abandon(world)
    world.cancel(job_id)

    world.clock.advance(world.settings.lease_seconds + 1)
    world.reconcile()

    assert world.job(job_id).status is JobStatus.CANCELLED


def test_resends_of_the_same_attempt_back_off_so_a_long_queue_is_not_flooded(world: World) -> None:
    submitted = world.submit()
    base = world.settings.redelivery_after_seconds
    resent_at = []

    for second in range(0, int(base * 16), 10):
        world.clock.advance(10)
        if world.reconcile().redelivered:
            resent_at.append(second + 10)

    gaps = [later - earlier for earlier, later in itertools.pairwise(resent_at)]
    assert resent_at[0] == base + 10
    assert gaps == [base * 2, base * 4, base * 8]
    assert world.job(submitted.job.id).redeliveries == 4


def test_a_job_that_starts_forgets_its_resends(world: World) -> None:
    submitted = world.submit()
    world.clock.advance(world.settings.redelivery_after_seconds + 1)
    world.reconcile()

    world.process(submitted.job.id, attempt=1)

    job = world.job(submitted.job.id)
    assert (job.redeliveries, job.redelivery_due_at) == (0, None)


def test_a_delivery_a_worker_took_and_never_ended_is_sent_again_a_lease_later(world: World) -> None:
    """A worker lost in the middle of a brief attempt: its job waits, queued, as if the message
    never came; it comes back as fast as a lost lease's, not after the redelivery delay."""
    submitted = world.submit()
    world.taken.take(TakenDelivery(job_id=submitted.job.id, attempt=1), at=world.clock.now())

    world.clock.advance(world.settings.lease_seconds - 1)
    early = world.reconcile()
    world.clock.advance(2)
    late = world.reconcile()
    again = world.reconcile()

    assert world.settings.lease_seconds + 1 < world.settings.redelivery_after_seconds
    assert (early.redelivered, late.redelivered, again.redelivered) == (0, 1, 0), "then it backs off as any resend"
    assert [d.attempt for d in world.queue.deliveries] == [1, 1]
    assert world.uow.state.events[submitted.job.id][-1].message == "delivery sent again"


def test_a_taken_delivery_of_another_attempt_or_of_a_running_job_sends_nothing(world: World) -> None:
    stale = world.submit()  # waits for attempt 1: a delivery of attempt 2 is not its
    running = start_and_abandon(world)  # started now: its lease outlasts this test
    long_ago = world.clock.now() - timedelta(seconds=world.settings.lease_seconds + 1)
    for job, attempt in ((stale.job.id, 2), (running, 1)):
        world.taken.take(TakenDelivery(job_id=job, attempt=attempt), at=long_ago)

    report = world.reconcile()

    assert (report.redelivered, report.leases_expired) == (0, 0)
