"""A job task binds its message's ids to its log lines and logs its start and its outcome once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import structlog

from adapters.celery.tasks import JOB_TASKS

process_report = JOB_TASKS["report.process"]


def events(log_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in log_lines if line["logger"] == "adapters.celery.tasks"]


@pytest.mark.django_db(transaction=True)
def test_a_task_logs_its_start_and_its_outcome_once_with_the_ids_of_its_message(
    log_lines: list[dict[str, Any]],
) -> None:
    job_id = str(uuid.uuid4())

    result = process_report.apply(
        kwargs={"job_id": job_id, "attempt": 2},
        headers={"request_id": "req-7", "user_id": "3"},
        routing_key="default",  # what a worker's delivery_info names: the queue it came from
    )

    assert result.successful()
    started, ended = events(log_lines)
    assert (started["event"], ended["event"]) == ("attempt started", "attempt ended")
    for line in (started, ended):
        assert (line["request_id"], line["user_id"], line["job_id"], line["attempt"]) == ("req-7", "3", job_id, 2)
        assert (line["task"], line["queue"]) == ("reports.process", "default")
    assert ended["outcome"] and ended["duration_ms"] >= 0
    assert structlog.contextvars.get_contextvars() == {}, "the next task starts with a clean context"


@pytest.mark.django_db(transaction=True)
def test_header_values_that_are_not_safe_ids_are_not_logged(log_lines: list[dict[str, Any]]) -> None:
    process_report.apply(
        kwargs={"job_id": str(uuid.uuid4()), "attempt": 1}, headers={"request_id": "a\nforged line", "user_id": 5}
    )

    lines = events(log_lines)
    assert lines, "the task logged its lines"
    for line in lines:
        assert "request_id" not in line and "user_id" not in line
