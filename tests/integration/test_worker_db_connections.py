"""Workers keep their database connection across tasks instead of reconnecting per task."""

from __future__ import annotations

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

import adapters.celery.db_connections  # noqa: F401 - connects the per-task recycling
from adapters.celery.tasks import JOB_TASKS
from config.celery import app

process_report = JOB_TASKS["report.process"]


def run_signals_of_tasks(count: int) -> None:
    for _ in range(count):
        signals.task_prerun.send(sender=process_report, task_id="t", task=process_report)
        signals.task_postrun.send(sender=process_report, task_id="t", task=process_report)


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_across_tasks() -> None:
    fixup = DjangoWorkerFixup(app).install()
    connection.ensure_connection()
    before = connection.connection

    run_signals_of_tasks(20)

    assert connection.connection is before
    assert fixup.db_reuse_max == app.conf.CELERY_DB_REUSE_MAX


@pytest.mark.django_db(transaction=True)
def test_without_our_setting_celery_would_reconnect_for_every_task() -> None:
    fixup = DjangoWorkerFixup(app)
    fixup.db_reuse_max = None
    fixup.install()
    connection.ensure_connection()
    before = connection.connection

    run_signals_of_tasks(1)

    assert connection.connection is not before


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced_before_the_next_task() -> None:
    DjangoWorkerFixup(app).install()
    connection.ensure_connection()
    before = connection.connection
    connection.errors_occurred = True
    connection.health_check_done = False
    connection.connection.close()  # as if PostgreSQL had restarted

    run_signals_of_tasks(1)
    connection.ensure_connection()

    assert connection.connection is not before
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
