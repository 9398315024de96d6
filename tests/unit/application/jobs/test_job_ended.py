"""Every terminal transition, wherever it happens, goes through the one job-ended hook."""

from __future__ import annotations

from application.jobs.transition import Transition
from domain.errors import InvalidReportFile, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from tests.unit.application.conftest import World
from tests.unit.application.reports.test_fan_out import BIG


class Ended:
    def __init__(self) -> None:
        self.seen: list[tuple[str, JobStatus, bool]] = []

    def __call__(self, transition: Transition, job: Job, /) -> None:
        saved = transition.uow.jobs.get(job.id)
        self.seen.append((job.kind, job.status, saved is not None and saved.status == job.status))


def world_with_hook() -> tuple[World, Ended]:
    ended = Ended()
    return World(listeners=[ended]), ended


def test_a_worker_s_success_failure_and_last_transient_error_each_end_through_the_hook() -> None:
    world, ended = world_with_hook()
    world.kind_settings = world.kind_settings.model_copy(update={"max_attempts": 1})
    ok, bad, flaky = world.submit(), world.submit(), world.submit()

    world.process(ok.job.id, 1)
    world.fail_next(InvalidReportFile("broken"))
    world.process(bad.job.id, 1)
    world.fail_next(TransientError("flaky"))
    world.process(flaky.job.id, 1)

    assert [status for _, status, _ in ended.seen] == [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD]
    assert all(saved for _, _, saved in ended.seen), "the hook runs after the job is saved, in its transaction"


def test_a_retry_is_not_an_end() -> None:
    world, ended = world_with_hook()
    submitted = world.submit()
    world.fail_next(TransientError("flaky"))

    world.process(submitted.job.id, 1)

    assert ended.seen == []


def test_a_cancel_and_the_reconciler_end_through_the_hook() -> None:
    world, ended = world_with_hook()
    world.kind_settings = world.kind_settings.model_copy(update={"max_attempts": 1})
    waiting, abandoned = world.submit(), world.submit()
    with world.uow as uow:
        job = uow.jobs.get(abandoned.job.id)
        assert job is not None
        job.start(now=world.clock.now(), worker="doomed", lease_seconds=world.settings.lease_seconds)
        uow.jobs.save(job)
        uow.commit()

    world.cancel(waiting.job.id)
    world.clock.advance(world.settings.lease_seconds + 1)
    world.reconcile()

    assert [status for _, status, _ in ended.seen] == [JobStatus.CANCELLED, JobStatus.DEAD]


def test_fan_in_ends_the_parent_through_the_hook_after_its_merge() -> None:
    world, ended = world_with_hook()
    submitted = world.submit(BIG)

    world.run_queue()

    assert world.job(submitted.job.id).status is JobStatus.SUCCEEDED
    assert ("report.merge", JobStatus.SUCCEEDED, True) in ended.seen
    assert ("report.process", JobStatus.SUCCEEDED, True) in ended.seen
    assert [kind for kind, _, _ in ended.seen].count("report.chunk") == 30
