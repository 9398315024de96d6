"""Brief attempts on PostgreSQL, through the Celery task: a small report's first delivery
starts and ends its job in one transaction; a redelivery commits its start first; a work
stuck without checkpoints loses its transaction, and the job its lock."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from adapters.analysis.report_engine import ProfilingReportEngine
from adapters.celery.tasks import JOB_TASKS
from adapters.memory import InMemoryTaskQueue
from adapters.memory.taken_deliveries import InMemoryTakenDeliveries
from application.reports.output import ReportProcessing
from application.reports.submit import SubmitReport
from config.container import container
from domain.ports import TakenDelivery
from domain.profile import ProfileResult
from tests.e2e.services import database_url

process_report = JOB_TASKS["report.process"]


@contextlib.contextmanager
def services(engine: ProfilingReportEngine | None = None, *, brief_bytes: int = 64 * 1024) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        stack.enter_context(container.task_queue.override(InMemoryTaskQueue()))
        stack.enter_context(container.processing.override(ReportProcessing(brief_bytes=brief_bytes)))
        if engine is not None:
            stack.enter_context(container.report_engine.override(engine))
        yield


def submit(owner: int) -> UUID:
    submitted = container.submit_report()(
        SubmitReport(owner_id=owner, filename="a.csv", size_bytes=8, content=io.BytesIO(b"a,b\n1,2\n"))
    )
    return submitted.job.id


def transactions_of_events(job_id: UUID) -> list[tuple[str, str]]:
    """(to_status, the id of the transaction that wrote the event), in order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_status, xmin::text FROM job_event WHERE job_id = %s ORDER BY seq", [job_id])
        return list(cursor.fetchall())


def job_row(job_id: UUID) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, attempts, started_at FROM job WHERE id = %s", [job_id])
        return tuple(cursor.fetchone())


@pytest.mark.django_db(transaction=True)
def test_a_first_delivery_of_a_small_report_starts_and_ends_its_job_in_one_transaction(make_user) -> None:  # type: ignore[no-untyped-def]
    with services():
        job_id = submit(make_user("alice"))
        result = process_report.apply(kwargs={"job_id": str(job_id), "attempt": 1})

    assert result.successful()
    (_, submitted), (running, started), (succeeded, ended) = transactions_of_events(job_id)
    assert (running, succeeded) == ("running", "succeeded")
    assert started == ended != submitted
    assert job_row(job_id)[:2] == ("succeeded", 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "delivered_before", ["redelivered by the broker", "retried by the task", "switched off (BRIEF_ATTEMPT_BYTES=0)"]
)
def test_an_attempt_that_is_not_brief_commits_its_start_first(make_user, delivered_before: str) -> None:  # type: ignore[no-untyped-def]
    options: dict[str, Any] = {
        "redelivered by the broker": {"headers": {"redelivered": True}},
        "retried by the task": {"retries": 1},
        "switched off (BRIEF_ATTEMPT_BYTES=0)": {},
    }[delivered_before]
    with services(brief_bytes=0 if delivered_before.startswith("switched off") else 64 * 1024):
        job_id = submit(make_user("alice"))
        result = process_report.apply(kwargs={"job_id": str(job_id), "attempt": 1}, **options)

    assert result.successful()
    (_, _), (_, started), (_, ended) = transactions_of_events(job_id)
    assert started != ended
    assert job_row(job_id)[:2] == ("succeeded", 1)


class CrashingEngine(ProfilingReportEngine):
    def analyze_path(self, path: str, **kwargs: Any) -> ProfileResult:
        raise SystemExit("the pool process goes away in the middle of the work")


@pytest.mark.django_db(transaction=True)
def test_a_crash_in_a_brief_attempt_leaves_its_job_waiting_as_before_its_delivery(make_user) -> None:  # type: ignore[no-untyped-def]
    with services(CrashingEngine()):
        job_id = submit(make_user("alice"))
        with pytest.raises(SystemExit):
            process_report.apply(kwargs={"job_id": str(job_id), "attempt": 1}, throw=True)
    connection.close()  # the pool process is gone: so is its connection

    assert job_row(job_id) == ("queued", 0, None)
    assert [status for status, _ in transactions_of_events(job_id)] == ["queued"]
    with services():
        again = process_report.apply(kwargs={"job_id": str(job_id), "attempt": 1}, headers={"redelivered": True})
    assert again.successful() and job_row(job_id)[:2] == ("succeeded", 1)


class StuckEngine(ProfilingReportEngine):
    """Works without a checkpoint for longer than a brief attempt's transaction may sit idle."""

    def analyze_path(self, path: str, **kwargs: Any) -> ProfileResult:
        time.sleep(container.job_settings().brief_idle_seconds + 1.5)
        return super().analyze_path(path, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_brief_attempt_stuck_without_checkpoints_loses_its_transaction_and_its_lock(make_user) -> None:  # type: ignore[no-untyped-def]
    with services(StuckEngine()):
        job_id = submit(make_user("alice"))
        outcome: list[Any] = []

        def work() -> None:  # a worker's thread, with its own connection
            try:
                outcome.append(process_report.apply(kwargs={"job_id": str(job_id), "attempt": 1}))
            finally:
                connection.close()

        worker = threading.Thread(target=work)
        worker.start()
        time.sleep(container.job_settings().brief_idle_seconds + 0.5)  # past the bound
        with psycopg.connect(database_url(connection.settings_dict["NAME"]), autocommit=True) as other:
            # a cancel would take this lock: it is free although the work still runs
            locked = other.execute("SELECT status FROM job WHERE id = %s FOR UPDATE NOWAIT", [job_id]).fetchone()
        still_working = worker.is_alive()
        worker.join()

    assert still_working and locked == ("queued",)
    # its end found its transaction gone, so the task tried again (at once, applied eagerly
    # here): as a retry, not brief, its start committed before its work
    (result,) = outcome
    assert result.successful()
    (_, _), (_, started), (_, ended) = transactions_of_events(job_id)
    assert started != ended
    assert job_row(job_id)[:2] == ("succeeded", 1)


@pytest.mark.django_db(transaction=True)
def test_the_reconciler_sends_again_a_delivery_taken_a_lease_ago_whose_job_still_waits_for_it(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    with services():
        waiting, other = submit(owner), submit(owner)
    taken = InMemoryTakenDeliveries()
    long_ago = timezone.now() - timedelta(seconds=container.job_settings().lease_seconds + 1)
    taken.take(TakenDelivery(job_id=waiting, attempt=1), at=long_ago)  # a worker died in its brief attempt
    taken.take(TakenDelivery(job_id=other, attempt=2), at=long_ago)  # not the attempt it waits for

    with container.task_queue.override(InMemoryTaskQueue()), container.taken_deliveries.override(taken):
        report = container.reconcile_jobs()()

    assert report.redelivered == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT job_id, message FROM job_event WHERE message = 'delivery sent again'")
        assert cursor.fetchall() == [(waiting, "delivery sent again")]
