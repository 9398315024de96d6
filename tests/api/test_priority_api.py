"""Routing on submit: priority `high` for users allowed to, the bulk queue for large uploads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from config.container import container
from tests.api.conftest import client_for

PROBLEM = "application/problem+json"


def test_a_user_without_the_permission_gets_a_403_problem_for_high_priority_and_nothing_is_stored(
    upload: Any, task_queue: InMemoryTaskQueue
) -> None:
    response = upload(priority="high")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/problems/priority-not-allowed")
    assert task_queue.deliveries == []


def test_a_user_with_the_permission_gets_the_high_priority_queue(upload: Any, task_queue: InMemoryTaskQueue) -> None:
    user = get_user_model().objects.get(username="alice")
    user.user_permissions.add(Permission.objects.get(codename="submit_high_priority"))

    response = upload(priority="high")

    assert response.status_code == 202, response.content
    assert response.json()["queue"] == "high"
    assert [d.queue for d in task_queue.deliveries] == ["high"]


def test_an_ordinary_upload_goes_to_default_and_a_large_one_to_bulk(
    upload: Any, task_queue: InMemoryTaskQueue, alice: APIClient, settings: Any
) -> None:
    small = upload().json()
    with container.job_kinds.override(_kinds_with_bulk_above(8)):
        large = upload(b"a,b\n" + b"1,2\n" * 10).json()

    assert (small["queue"], large["queue"]) == ("default", "bulk")


def test_staff_may_ask_for_high_priority(upload: Any, task_queue: InMemoryTaskQueue) -> None:
    staff = client_for("operator")
    get_user_model().objects.filter(username="operator").update(is_staff=True)

    response = upload(priority="high", client=staff)

    assert response.json()["queue"] == "high"


def _kinds_with_bulk_above(size: int) -> Any:
    from application.jobs.registry import JobKinds
    from application.reports.kinds import ReportKindSettings, report_job_kinds

    current = container.job_kinds()
    kinds = report_job_kinds(ReportKindSettings(bulk_above_bytes=size))
    return JobKinds((kind, lambda name=kind.name: current.handler(name)) for kind in kinds)
