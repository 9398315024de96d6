from __future__ import annotations

import pytest

from application.jobs.registry import JobKind, JobKinds, UnknownJobKind


def kind(name: str, task: str) -> JobKind:
    return JobKind(name=name, task=task, queue="q", max_attempts=2)


def no_handler() -> object:
    raise AssertionError("handlers are built on first use only")


def test_a_kind_is_found_by_name_with_its_task_queue_and_budget() -> None:
    kinds = JobKinds([(kind("a", "tasks.a"), no_handler)])  # type: ignore[list-item]

    assert (kinds.kind("a").task, kinds.kind("a").queue, kinds.kind("a").max_attempts) == ("tasks.a", "q", 2)
    with pytest.raises(UnknownJobKind):
        kinds.kind("b")


def test_two_kinds_may_not_share_a_name_or_a_task() -> None:
    with pytest.raises(ValueError, match="twice"):
        JobKinds([(kind("a", "t1"), no_handler), (kind("a", "t2"), no_handler)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="task name"):
        JobKinds([(kind("a", "t"), no_handler), (kind("b", "t"), no_handler)])  # type: ignore[list-item]


def test_a_soft_time_limit_must_be_below_the_hard_one() -> None:
    with pytest.raises(ValueError, match="soft time limit"):
        JobKind(name="a", task="t", queue="q", max_attempts=1, soft_time_limit_seconds=10, time_limit_seconds=10)


def test_a_new_job_gets_its_kind_s_queue_and_budget() -> None:
    from datetime import UTC, datetime

    kinds = JobKinds([(kind("a", "tasks.a"), no_handler)])  # type: ignore[list-item]

    job = kinds.create("a", owner_id=7, now=datetime(2026, 1, 1, tzinfo=UTC), actor="user:7")

    assert (job.kind, job.queue, job.max_attempts, job.owner_id) == ("a", "q", 2, 7)


def test_every_handler_of_the_application_has_each_step_of_an_attempt() -> None:
    from application.jobs.registry import JobHandler
    from tests.unit.application.conftest import World

    kinds = World().kinds
    steps = [name for name in vars(JobHandler) if not name.startswith("_")]
    handlers = {kind.name: kinds.handler(kind.name) for kind in kinds}

    assert sorted(steps) == ["load", "record", "runs_briefly", "work"]
    missing = {
        name: step for name, handler in handlers.items() for step in steps if not callable(getattr(handler, step, None))
    }
    assert missing == {}
