"""Gauges read from the record: jobs per kind, queue and status, how long the longest-waiting
job has been due, how far the most overdue lease ran out, and the outbox backlog."""

from __future__ import annotations

from adapters.memory.statistics import InMemoryEngineStatistics
from application.jobs.statistics import EngineGauges, ReadEngineGaugesHandler
from domain.job_status import JobStatus
from domain.ports import QueueUnavailable
from tests.unit.application.conftest import World


def gauges(world: World) -> EngineGauges:
    return ReadEngineGaugesHandler(statistics=InMemoryEngineStatistics(world.uow.state), clock=world.clock)()


def test_waiting_jobs_and_the_unpublished_backlog_age_with_the_clock(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("down")  # deliveries stay in the outbox
    world.submit()
    world.submit()

    world.clock.advance(7)
    read = gauges(world)

    assert [(g.kind, g.queue, g.status, g.count, g.oldest_due_seconds) for g in read.jobs] == [
        ("report.process", "default", JobStatus.QUEUED, 2, 7.0)
    ]
    assert (read.outbox_backlog, read.outbox_oldest_seconds) == (2, 7.0)


def test_a_running_job_is_overdue_only_once_its_lease_ran_out(world: World) -> None:
    job_id = world.submit().job.id
    seen: list[EngineGauges] = []

    def stall() -> None:  # the work stalls past its lease before its first checkpoint
        world.clock.advance(world.settings.lease_seconds + 5)
        seen.append(gauges(world))

    world.report_engine.during = stall

    world.run_queue()

    running = [g for g in seen[0].jobs if g.status == JobStatus.RUNNING]
    assert [(g.count, g.lease_overdue_seconds) for g in running] == [(1, 5.0)]
    assert world.job(job_id).status == JobStatus.SUCCEEDED
    assert [(g.status, g.count, g.lease_overdue_seconds) for g in gauges(world).jobs] == [(JobStatus.SUCCEEDED, 1, 0.0)]


def test_an_empty_engine_reads_as_nothing_waiting(world: World) -> None:
    read = gauges(world)

    assert (read.jobs, read.outbox_backlog, read.outbox_oldest_seconds) == ([], 0, 0.0)
