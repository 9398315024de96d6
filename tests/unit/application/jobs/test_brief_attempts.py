"""Brief attempts: a small report's first delivery runs claim, work and record in one transaction."""

from __future__ import annotations

import time

import pytest

from application.jobs.pipeline import Outcome, RunAttempt
from domain.errors import TransientError
from domain.job_status import JobStatus
from tests.unit.application.conftest import World


@pytest.fixture
def world() -> World:
    """A world with brief attempts, as the default BRIEF_ATTEMPT_BYTES (64 KiB) has them."""
    world = World()
    world.processing = world.processing.model_copy(update={"brief_bytes": 64 * 1024})
    return world


def attempt(world: World, job_id: object, *, first_delivery: bool) -> tuple[Outcome, int]:
    """The attempt's outcome and how many commits it made (after `World.process`'s admission pass)."""
    world.dispatch_waiting()
    before = world.uow.commits
    outcome = world.pipeline(RunAttempt(job_id=job_id, attempt=1, worker="w1", first_delivery=first_delivery))
    return outcome.outcome, world.uow.commits - before


def statuses(world: World, job_id: object) -> list[JobStatus]:
    return [event.to_status for event in world.uow.state.events[job_id]]


def test_a_small_report_s_first_delivery_commits_its_start_with_its_end(world: World) -> None:
    submitted = world.submit()
    relaxed = world.uow.relaxed_commits

    outcome, commits = attempt(world, submitted.job.id, first_delivery=True)

    job = world.job(submitted.job.id)
    assert outcome is Outcome.SUCCEEDED
    assert (job.status, job.attempts, job.lease_expires_at) == (JobStatus.SUCCEEDED, 1, None)
    assert commits == 1, "one transaction: no commit of the start of its own"
    assert world.uow.relaxed_commits == relaxed, "the one commit waits for the disk"
    assert statuses(world, job.id) == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert world.result_of(submitted.report_id) is not None


@pytest.mark.parametrize(
    "why",
    ["the broker delivered it before", "the reconciler sent it again", "the report is too big to be brief"],
)
def test_any_other_attempt_commits_its_start_before_its_work(world: World, why: str) -> None:
    content = b"a,b\n" + b"1,2\n" * 60 if why == "the report is too big to be brief" else b"a,b\n1,2\n"
    world.processing = world.processing.model_copy(update={"brief_bytes": 100, "fan_out_bytes": 10_000})
    submitted = world.submit(content=content)
    if why == "the reconciler sent it again":
        world.uow.state.jobs[submitted.job.id].redeliveries = 1

    outcome, commits = attempt(world, submitted.job.id, first_delivery=why != "the broker delivered it before")

    assert outcome is Outcome.SUCCEEDED
    assert commits == 2, "the start, then the end"


def test_without_a_brief_size_no_attempt_is_brief() -> None:
    world = World()  # ReportProcessing.brief_bytes 0, as BRIEF_ATTEMPT_BYTES=0 sets it
    submitted = world.submit()

    outcome, commits = attempt(world, submitted.job.id, first_delivery=True)

    assert (outcome, commits) == (Outcome.SUCCEEDED, 2)


def test_a_crash_in_a_brief_attempt_s_work_leaves_the_job_as_if_it_never_began(world: World) -> None:
    submitted = world.submit()

    def crash() -> None:
        raise SystemExit("the pool process is going away")

    world.analyzer.during = crash
    with pytest.raises(SystemExit):
        world.process(submitted.job.id, attempt=1, first_delivery=True)
    crashed = world.job(submitted.job.id)
    world.analyzer.during = None
    again = world.process(submitted.job.id, attempt=1)  # redelivered: not brief any more

    assert (crashed.status, crashed.attempts, crashed.started_at) == (JobStatus.QUEUED, 0, None)
    assert statuses(world, submitted.job.id) == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert again.outcome is Outcome.SUCCEEDED


def test_a_brief_attempt_that_fails_uses_up_its_attempt_in_the_same_commit(world: World) -> None:
    submitted = world.submit()
    world.fail_next(TransientError("the disk was busy"))

    outcome, commits = attempt(world, submitted.job.id, first_delivery=True)

    job = world.job(submitted.job.id)
    assert outcome is Outcome.RETRY_SCHEDULED
    assert (job.status, job.attempts, job.error) == (JobStatus.RETRYING, 1, "the disk was busy")
    assert statuses(world, job.id) == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING]
    assert commits == 1


def test_a_stopping_worker_hands_a_brief_attempt_s_job_back(world: World) -> None:
    submitted = world.submit()
    world.stopping = "the worker is stopping (SIGTERM)"

    outcome = world.process(submitted.job.id, attempt=1, first_delivery=True)

    job = world.job(submitted.job.id)
    assert outcome.outcome is Outcome.HANDED_BACK
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.RETRYING, 1, 4)
    assert world.uow.state.events[job.id][-1].message == "handed back: the worker is stopping (SIGTERM)"


def test_a_duplicate_of_a_brief_attempt_s_delivery_changes_nothing(world: World) -> None:
    submitted = world.submit()
    world.process(submitted.job.id, attempt=1, first_delivery=True)

    again, commits = attempt(world, submitted.job.id, first_delivery=True)

    assert (again, commits) == (Outcome.SKIPPED, 0)


def test_a_brief_attempt_that_runs_long_commits_its_start_and_goes_on_under_a_kept_lease(world: World) -> None:
    world.settings = world.settings.model_copy(update={"cancel_check_seconds": 0.01})
    submitted = world.submit()
    world.analyzer.during = lambda: time.sleep(0.02)  # then the work's checkpoint
    relaxed = world.uow.relaxed_commits

    outcome, commits = attempt(world, submitted.job.id, first_delivery=True)

    assert outcome is Outcome.SUCCEEDED
    assert commits == 2, "its start at the checkpoint past the bound, then its end"
    assert world.uow.relaxed_commits - relaxed == 1, "the start, as an ordinary attempt's"
    assert statuses(world, submitted.job.id) == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]


def test_a_first_delivery_s_claim_bounds_how_long_its_transaction_may_sit_idle(world: World) -> None:
    first, again = world.submit(), world.submit()

    attempt(world, first.job.id, first_delivery=True)
    bounds_after_first = list(world.uow.idle_bounds)
    attempt(world, again.job.id, first_delivery=False)

    assert bounds_after_first == [world.settings.brief_idle_seconds]
    assert world.uow.idle_bounds == bounds_after_first, "a redelivery's claim commits its start at once"
    assert world.settings.brief_idle_seconds >= 4 * world.settings.cancel_check_seconds
