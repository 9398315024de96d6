"""A duplicate Idempotency-Key request sent while the first is being recorded waits for it and
replays its answer: the key is claimed in the transaction that records the job."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from adapters.memory import InMemoryTaskQueue
from adapters.orm.models import JobRecord, ReportRecord
from application.reports.submit import IdempotencyKey, SubmitReport
from config.container import container

KEY = IdempotencyKey(key="k-1", fingerprint="request-a")


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_sent_while_the_first_is_recorded_replays_its_answer(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    answers: dict[str, Any] = {}
    with container.task_queue.override(InMemoryTaskQueue()), transaction.atomic():
        with connection.cursor() as cursor:  # the first request stalls inside its transaction
            cursor.execute(f"LOCK TABLE {ReportRecord._meta.db_table} IN EXCLUSIVE MODE")
        first = submit_in_thread(owner, "first", answers)
        wait_until(lambda: backends_waiting_on_locks() == 1)
        duplicate = submit_in_thread(owner, "duplicate", answers)
        wait_until(lambda: backends_waiting_on_locks() == 2 or "duplicate" in answers)
    first.join(timeout=10)
    duplicate.join(timeout=10)

    assert answers["first"] == answers["duplicate"]
    assert JobRecord.objects.count() == 1


def submit_in_thread(owner: int, name: str, answers: dict[str, Any]) -> threading.Thread:
    def run() -> None:
        try:
            answers[name] = container.submit_report()(
                SubmitReport(
                    owner_id=owner, filename="a.csv", size_bytes=4, content=io.BytesIO(b"a\n1\n"), idempotency=KEY
                )
            )
        except Exception as exc:
            answers[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def backends_waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return int(cursor.fetchone()[0])


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
