"""Django's per-request (and per-task) `SELECT 1` health check is skipped for a connection
released moments ago, and runs again for one idle longer or replaced since."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from celery import signals
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

import adapters.celery.db_connections  # noqa: F401 - connects the per-task receivers
from adapters import connection_checks
from adapters.celery.tasks import JOB_TASKS

process_report = JOB_TASKS["report.process"]


def a_task() -> None:
    signals.task_prerun.send(sender=process_report, task_id="t", task=process_report)
    query()
    signals.task_postrun.send(sender=process_report, task_id="t", task=process_report)


def a_request() -> None:
    request_started.send(sender=None, environ={})
    query()
    request_finished.send(sender=None)


def query() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")


@pytest.fixture
def health_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per health check the connection runs."""
    assert connection.health_check_enabled, "the settings ask for health checks"
    checks: list[int] = []
    is_usable = connection.is_usable

    def counted() -> bool:
        checks.append(1)
        return is_usable()

    monkeypatch.setattr(connection, "is_usable", counted)
    # the connection may come from the test before, released moments ago: each test starts
    # with one not released since, whatever ran before it
    monkeypatch.setattr(connection, connection_checks._RELEASED, (None, 0.0), raising=False)
    return checks


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("unit", [a_task, a_request], ids=["tasks", "requests"])
def test_back_to_back_units_check_the_connection_once_and_again_after_a_pause(
    unit: Callable[[], None], health_checks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # back to back however slow the machine: five units on a loaded one took over a second
    monkeypatch.setattr(connection_checks, "RECHECK_AFTER_SECONDS", 60.0)
    connection.ensure_connection()
    first = connection.connection

    for _ in range(5):
        unit()
    checked_back_to_back = len(health_checks)
    monkeypatch.setattr(connection_checks, "RECHECK_AFTER_SECONDS", 0.0)  # every pause is long now
    unit()

    assert connection.connection is first
    assert checked_back_to_back == 1, "only the first, which no earlier unit released"
    assert len(health_checks) == 2


@pytest.mark.django_db(transaction=True)
def test_a_connection_replaced_since_the_release_is_checked(health_checks: list[int]) -> None:
    connection.ensure_connection()
    connection_checks.mark_released()
    connection.close()
    connection.ensure_connection()  # another connection, in the same wrapper
    connection.health_check_done = False

    query()

    assert len(health_checks) == 1


@pytest.mark.django_db(transaction=True)
def test_the_order_of_the_request_receivers_does_not_matter(
    health_checks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django's test client disconnects and reconnects close_old_connections around each of
    its requests, which puts it after every other receiver."""
    monkeypatch.setattr(connection_checks, "RECHECK_AFTER_SECONDS", 60.0)  # back to back however slow
    request_started.disconnect(close_old_connections)
    request_started.connect(close_old_connections)
    connection.ensure_connection()

    for _ in range(5):
        a_request()

    assert len(health_checks) == 1
