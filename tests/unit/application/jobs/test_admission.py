"""Admission: an owner's limits decide which of its waiting jobs start; starts are fair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.memory.repositories import InMemoryJobRepository
from application.jobs.admission import ExecutionLimits
from application.jobs.pipeline import RunAttempt
from domain.job_status import JobStatus
from domain.ports import DispatchLoad
from tests.unit.application.conftest import World


def world_with(**limits: int) -> World:
    return World(limits=ExecutionLimits(**limits))


def deferral_messages(world: World, job_id: object) -> list[str]:
    return [e.message for e in world.uow.state.events[job_id] if e.message.startswith("deferred")]


def running_or_dispatched(world: World, owner_id: int = 1) -> int:
    return sum(
        1
        for job in world.uow.state.jobs.values()
        if job.owner_id == owner_id
        and (job.status is JobStatus.RUNNING or (job.is_waiting and job.dispatched_at is not None))
    )


def counted_dispatch_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The owners whose load admission counts from now on, one entry per count."""
    calls: list[int] = []
    count = InMemoryJobRepository.dispatch_load

    def counted(self: InMemoryJobRepository, owner_id: int, *args: Any, **kwargs: Any) -> DispatchLoad:
        calls.append(owner_id)
        return count(self, owner_id, *args, **kwargs)

    monkeypatch.setattr(InMemoryJobRepository, "dispatch_load", counted)
    return calls


def test_jobs_over_the_running_limit_wait_deferred_with_the_reason_in_their_trail() -> None:
    world = world_with(max_running=2)

    jobs = [world.submit().job.id for _ in range(5)]

    assert len(world.queue.deliveries) == 2
    assert [d.job_id for d in world.queue.deliveries] == jobs[:2]
    assert deferral_messages(world, jobs[2]) == ["deferred: 0 of its jobs run and 2 are about to (limit 2)"]
    assert deferral_messages(world, jobs[0]) == []


def test_the_running_limit_is_never_exceeded_and_every_job_finishes() -> None:
    world = world_with(max_running=2)
    jobs = [world.submit().job.id for _ in range(7)]
    most = 0

    for _ in range(50):
        if not world.queue.deliveries:
            break
        delivery = world.queue.deliveries.pop(0)
        world.analyzer.during = lambda: None
        most = max(most, running_or_dispatched(world))
        world.process(delivery.job_id, delivery.attempt)
        most = max(most, running_or_dispatched(world))

    assert most <= 2
    assert {world.job(job_id).status for job_id in jobs} == {JobStatus.SUCCEEDED}


def test_a_job_that_ends_lets_the_next_waiting_one_start_at_once() -> None:
    world = world_with(max_running=1)
    first, second = world.submit().job.id, world.submit().job.id
    assert [d.job_id for d in world.queue.deliveries] == [first]

    world.process(first, 1)

    assert [d.job_id for d in world.queue.deliveries] == [first, second]


def test_starts_per_minute_hold_back_the_rest_until_the_budget_refills() -> None:
    world = world_with(starts_per_minute=3)
    jobs = [world.submit().job.id for _ in range(5)]
    started_at_once = len(world.queue.deliveries)

    world.clock.advance(19)
    before_a_token = world.relay().published
    world.clock.advance(2)
    after_a_token = world.relay().published

    assert started_at_once == 3
    assert (before_a_token, after_a_token) == (0, 1)
    assert deferral_messages(world, jobs[4]) == ["deferred: it started 3 jobs in the last minute (limit 3/min)"]


def test_one_owner_s_backlog_does_not_hold_back_another_owner_s_job() -> None:
    world = world_with(dispatch_window=2)
    backlog = [world.submit(owner_id=1).job.id for _ in range(50)]

    other = world.submit(owner_id=2).job.id

    queued = [d.job_id for d in world.queue.deliveries]
    assert queued == [backlog[0], backlog[1], other], "the other owner's job is behind two jobs, not fifty"
    assert "wait for a worker (at most 2 at once)" in deferral_messages(world, backlog[2])[0]


def test_a_started_job_makes_room_for_its_owner_s_next_one_in_the_broker() -> None:
    world = world_with(dispatch_window=2)
    backlog = [world.submit().job.id for _ in range(5)]
    world.queue.deliveries.clear()

    world.process(backlog[0], 1)

    assert [d.job_id for d in world.queue.deliveries] == [backlog[2]]


def test_the_relay_s_pass_serves_the_owner_waiting_longest_first() -> None:
    world = world_with(max_running=1)
    alice = [world.submit(owner_id=1).job.id for _ in range(2)]
    world.clock.advance(5)
    bob = [world.submit(owner_id=2).job.id for _ in range(2)]
    world.queue.deliveries.clear()
    for job_id in (alice[0], bob[0]):  # both finish elsewhere, in a transaction that freed their slot
        world.process(job_id, 1)

    assert {d.job_id for d in world.queue.deliveries} == {alice[1], bob[1]}


def test_a_retry_that_comes_due_is_dispatched_by_the_relay_s_pass() -> None:
    world = world_with(max_running=1)
    submitted = world.submit()
    world.fail_next(__import__("domain.errors", fromlist=["TransientError"]).TransientError("flaky"))
    world.process(submitted.job.id, 1)
    world.queue.deliveries.clear()

    world.clock.advance(world.settings.retry.base_seconds)
    world.relay()

    assert [(d.job_id, d.attempt) for d in world.queue.deliveries] == [(submitted.job.id, 2)]


def test_a_submission_with_no_room_for_its_owner_is_inserted_deferred_after_one_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = world_with(max_running=1)
    world.submit()
    calls = counted_dispatch_loads(monkeypatch)

    waiting = world.submit().job.id

    assert len(calls) == 1, "admission at commit would only find the same answer again"
    assert deferral_messages(world, waiting) == ["deferred: 0 of its jobs run and 1 are about to (limit 1)"]
    assert world.job(waiting).dispatched_at is None


def test_an_end_without_a_running_limit_costs_no_admission_but_a_start_does(monkeypatch: pytest.MonkeyPatch) -> None:
    world = world_with(dispatch_window=2)
    backlog = [world.submit().job.id for _ in range(4)]
    calls = counted_dispatch_loads(monkeypatch)
    world.queue.deliveries.clear()

    world.pipeline(RunAttempt(job_id=backlog[0], attempt=1, worker="w1"))

    assert len(calls) == 1, "the start leaves room in the window; the end leaves none, so it is not counted"
    assert [d.job_id for d in world.queue.deliveries] == [backlog[2]]
    assert world.job(backlog[0]).status is JobStatus.SUCCEEDED


def test_a_window_is_refilled_in_batches_once_half_of_it_is_free() -> None:
    world = world_with(dispatch_window=4)
    backlog = [world.submit().job.id for _ in range(10)]
    assert [d.job_id for d in world.queue.deliveries] == backlog[:4]
    world.queue.deliveries.clear()

    world.process(backlog[0], 1)
    after_one_start = [d.job_id for d in world.queue.deliveries]
    world.relay()
    after_the_relay = [d.job_id for d in world.queue.deliveries]
    world.process(backlog[1], 1)

    assert after_one_start == after_the_relay == [], "a quarter of the window free: no refill yet"
    assert [d.job_id for d in world.queue.deliveries] == backlog[4:6], "half of it free: two dispatched at once"
    assert running_or_dispatched(world) == 4


def test_a_window_of_one_or_two_is_refilled_after_every_start() -> None:
    for window in (1, 2):
        world = world_with(dispatch_window=window)
        backlog = [world.submit().job.id for _ in range(4)]
        world.queue.deliveries.clear()

        world.process(backlog[0], 1)

        assert [d.job_id for d in world.queue.deliveries] == [backlog[window]]


class Later:
    """A background that runs its work when the test says, as a busy database thread would."""

    def __init__(self) -> None:
        self.work: list[Callable[[], object]] = []

    def submit(self, work: Callable[[], object]) -> None:
        self.work.append(work)

    def run(self) -> None:
        work, self.work = self.work, []
        for item in work:
            item()


def test_a_start_leaves_the_publish_of_what_it_admits_to_the_background_and_a_submit_publishes_at_once() -> None:
    later = Later()
    world = World(limits=ExecutionLimits(dispatch_window=2), background=later)
    backlog = [world.submit().job.id for _ in range(4)]
    submitted = [d.job_id for d in world.queue.deliveries]
    world.queue.deliveries.clear()

    world.process(backlog[0], 1)
    before_the_background = [d.job_id for d in world.queue.deliveries]
    later.run()

    assert submitted == backlog[:2]  # no background work for a submit
    assert before_the_background == []
    assert [d.job_id for d in world.queue.deliveries] == [backlog[2]]


@pytest.mark.parametrize("brief", [False, True], ids=["ordinary attempt", "brief attempt"])
def test_an_attempt_s_end_leaves_the_publish_of_what_it_admits_to_the_background(brief: bool) -> None:
    later = Later()
    world = World(limits=ExecutionLimits(max_running=1), background=later)
    world.processing = world.processing.model_copy(update={"brief_bytes": 64 * 1024 if brief else 0})
    first, second = world.submit().job.id, world.submit().job.id
    world.queue.deliveries.clear()

    outcome = world.pipeline(RunAttempt(job_id=first, attempt=1, worker="w1", first_delivery=True))
    before_the_background = [d.job_id for d in world.queue.deliveries]
    later.run()

    assert outcome.outcome == "succeeded"
    assert world.job(second).dispatched_at is not None  # admitted in the end's own commit
    assert before_the_background == []  # the task did not wait for its doorbell
    assert [d.job_id for d in world.queue.deliveries] == [second]
