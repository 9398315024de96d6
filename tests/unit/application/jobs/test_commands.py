from __future__ import annotations

import pytest

from application.errors import NotFound
from domain.errors import InvalidTransition, PermanentError, TransientError
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


def test_cancelling_a_queued_job_cancels_it_at_once_and_its_delivery_is_then_a_no_op(world: World) -> None:
    submitted = world.submit()

    view = world.cancel(submitted.job.id)
    outcome = world.process(submitted.job.id, attempt=1)

    assert view.status is JobStatus.CANCELLED
    assert outcome.outcome == "skipped"
    assert world.analyzer.calls == 0


def test_cancelling_a_retrying_job_cancels_it_at_once(world: World) -> None:
    submitted = world.submit()
    world.fail_next(TransientError("flaky"))
    world.process(submitted.job.id, attempt=1)

    view = world.cancel(submitted.job.id)

    assert view.status is JobStatus.CANCELLED


@pytest.mark.parametrize("error", [None, PermanentError("bad")])
def test_cancelling_an_ended_job_is_refused(world: World, error: PermanentError | None) -> None:
    submitted = world.submit()
    if error:
        world.fail_next(error)
    world.process(submitted.job.id, attempt=1)

    with pytest.raises(InvalidTransition):
        world.cancel(submitted.job.id)


def test_another_users_job_cannot_be_cancelled_or_replayed(world: World) -> None:
    submitted = world.submit(owner_id=1)

    with pytest.raises(NotFound):
        world.cancel(submitted.job.id, owner_id=2)
    with pytest.raises(NotFound):
        world.replay(submitted.job.id, owner_id=2)


def dead_job(world: World) -> object:
    submitted = world.submit()
    world.fail_next(*[TransientError("down")] * 3)
    for attempt in (1, 2, 3):
        world.process(submitted.job.id, attempt=attempt)
        world.clock.advance(60)
    assert world.job(submitted.job.id).status is JobStatus.DEAD
    return submitted.job.id


def test_replaying_a_dead_job_queues_it_with_a_fresh_budget_and_it_can_succeed(world: World) -> None:
    job_id = dead_job(world)

    view = world.replay(job_id)
    world.process(job_id, attempt=4)

    assert (view.status, view.attempts, view.max_attempts) == (JobStatus.QUEUED, 3, 6)
    assert world.queue.deliveries[-1].attempt == 4
    assert world.job(job_id).status is JobStatus.SUCCEEDED
    assert [e.message for e in world.uow.state.events[job_id]][-3:] == ["replayed", "", "done"]


def test_replaying_twice_is_harmless(world: World) -> None:
    job_id = dead_job(world)

    world.replay(job_id)
    second = world.replay(job_id)

    assert second.status is JobStatus.QUEUED
    assert [d.attempt for d in world.queue.deliveries].count(4) == 1
    assert sum(e.message == "replayed" for e in world.uow.state.events[job_id]) == 1


def test_staff_may_replay_any_users_dead_job(world: World) -> None:
    job_id = dead_job(world)

    view = world.replay(job_id, owner_id=99, is_staff=True)

    assert view.status is JobStatus.QUEUED
    assert world.uow.state.events[job_id][-1].actor == "user:99"


def test_a_succeeded_job_cannot_be_replayed(world: World) -> None:
    submitted = world.submit()
    world.process(submitted.job.id, attempt=1)

    with pytest.raises(InvalidTransition):
        world.replay(submitted.job.id)
