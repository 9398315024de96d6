"""Jobs are counted for metrics once their transaction commits, and never for a rollback."""

from __future__ import annotations

from collections import Counter

import pytest

from application.jobs.metrics import CountEndedJobs
from application.jobs.transition import Transition
from application.reports.submit import IdempotencyKey
from domain.errors import PermanentError, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from tests.unit.application.conftest import World
from tests.unit.application.reports.test_fan_out import BIG


@pytest.fixture
def counted(world: World) -> World:
    world.listeners = [CountEndedJobs(world.metrics)]
    return world


def test_a_submitted_report_is_counted_by_kind_and_queue(counted: World) -> None:
    counted.submit()

    assert counted.metrics.submitted == [{"kind": "report.process", "queue": "default"}]


def test_a_replayed_idempotency_key_counts_the_submission_once(counted: World) -> None:
    key = IdempotencyKey(key="k1", fingerprint="f1")

    first = counted.submit(idempotency=key)
    again = counted.submit(idempotency=key)

    assert again.job.id == first.job.id
    assert len(counted.metrics.submitted) == 1


def test_a_job_that_succeeds_is_counted_with_its_run_time_and_its_wait(counted: World) -> None:
    job_id = counted.submit().job.id
    counted.clock.advance(3)  # waits 3 s in the queue
    counted.report_engine.during = lambda: counted.clock.advance(2)  # runs 2 s

    counted.run_queue()

    assert counted.metrics.ended == [
        {
            "kind": "report.process",
            "queue": "default",
            "status": "succeeded",
            "run_seconds": 2.0,
            "queue_wait_seconds": 3.0,
        }
    ]
    assert counted.job(job_id).status == JobStatus.SUCCEEDED


def test_a_job_that_dies_after_retries_is_counted_once_without_a_first_wait(counted: World) -> None:
    counted.submit()
    counted.fail_next(TransientError("a"), TransientError("b"), TransientError("c"))

    for _ in range(3):
        counted.run_queue()
        counted.clock.advance(120)
        counted.relay()

    assert [(e["status"], e["queue_wait_seconds"]) for e in counted.metrics.ended] == [("dead", None)]
    assert counted.metrics.ended[0]["run_seconds"] == 0.0


def test_a_job_cancelled_while_it_waits_is_counted_without_a_run_time(counted: World) -> None:
    job_id = counted.submit().job.id

    counted.cancel(job_id)

    assert counted.metrics.ended == [
        {
            "kind": "report.process",
            "queue": "default",
            "status": "cancelled",
            "run_seconds": None,
            "queue_wait_seconds": None,
        }
    ]


def test_an_end_whose_transaction_rolls_back_is_not_counted(counted: World) -> None:
    def refuse(transition: Transition, job: Job, /) -> None:
        raise RuntimeError("a later listener fails: the whole transaction rolls back")

    job_id = counted.submit().job.id
    counted.listeners.append(refuse)
    counted.fail_next(PermanentError("bad file"))

    with pytest.raises(RuntimeError):
        counted.run_queue()

    assert counted.metrics.ended == []
    assert counted.job(job_id).status == JobStatus.RUNNING


def test_children_that_end_are_counted_by_their_own_kind(counted: World) -> None:
    counted.submit(BIG)

    counted.run_queue()

    kinds = Counter((e["kind"], e["status"]) for e in counted.metrics.ended)
    assert kinds == {
        ("report.chunk", "succeeded"): 30,
        ("report.merge", "succeeded"): 1,
        ("report.process", "succeeded"): 1,
    }
