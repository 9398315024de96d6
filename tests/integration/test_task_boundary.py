"""Task messages are validated at the boundary: a malformed one is kept, acknowledged, never retried."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.celery.tasks import JOB_TASKS
from adapters.orm.models import DeadMessageRecord
from config.celery import app
from config.container import container

process_report = JOB_TASKS["report.process"]


def test_every_job_kind_has_a_task_named_as_the_registry_says_with_its_time_limits() -> None:
    for kind in container.job_kinds():
        task = app.tasks[kind.task]

        assert (task.soft_time_limit, task.time_limit) == (kind.soft_time_limit_seconds, kind.time_limit_seconds)
        assert task.acks_late and task.reject_on_worker_lost
        assert task.acks_on_timeout is False, "killed at its hard time limit: its delivery comes back"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("args", "kwargs", "reason"),
    [
        ((), {"job_id": "not-a-uuid", "attempt": 1}, "job_id"),
        ((), {"job_id": "8c3b3f7e-5b7e-4a4f-9d1e-3b1b9c1c2a11"}, "attempt"),
        ((), {"job_id": "8c3b3f7e-5b7e-4a4f-9d1e-3b1b9c1c2a11", "attempt": 0}, "attempt"),
        (("8c3b3f7e-5b7e-4a4f-9d1e-3b1b9c1c2a11", 1), {}, "positional"),
    ],
)
def test_a_malformed_message_is_dead_lettered_and_the_task_succeeds(
    args: tuple[Any, ...], kwargs: dict[str, Any], reason: str
) -> None:
    result = process_report.apply(args=args, kwargs=kwargs)

    assert result.successful(), "acknowledged, so the broker never delivers it again"
    (dead,) = DeadMessageRecord.objects.all()
    assert dead.task == "reports.process"
    assert reason in dead.reason
    assert dead.payload == {"args": list(args), "kwargs": kwargs}


@pytest.mark.django_db(transaction=True)
def test_unknown_extra_keywords_are_ignored_so_older_workers_survive_newer_messages() -> None:
    result = process_report.apply(
        kwargs={"job_id": "8c3b3f7e-5b7e-4a4f-9d1e-3b1b9c1c2a11", "attempt": 1, "trace_id": "abc"}
    )

    assert result.successful()
    assert DeadMessageRecord.objects.count() == 0


def test_a_database_outage_keeps_the_delivery_and_tries_again() -> None:
    from django.db import OperationalError

    from application.jobs.pipeline import AttemptOutcome, Outcome
    from config.container import container

    calls: list[object] = []

    def flaky_handler(cmd: object) -> AttemptOutcome:
        calls.append(cmd)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return AttemptOutcome(outcome=Outcome.SUCCEEDED, job_id=cmd.job_id, attempt=cmd.attempt)  # type: ignore[attr-defined]

    with container.attempt_pipeline.override(flaky_handler):
        result = process_report.apply(kwargs={"job_id": "8c3b3f7e-5b7e-4a4f-9d1e-3b1b9c1c2a11", "attempt": 1})

    assert result.successful()
    assert len(calls) == 2, "retried, not dropped"
