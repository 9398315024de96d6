"""A submit's doorbell rings before its commit waits for the disk; the mark after it waits."""

from __future__ import annotations

import io
from typing import Any
from uuid import UUID

import pytest
from django.db import connection
from django.utils import timezone

from adapters.memory import InMemoryTaskQueue
from adapters.orm.outbox import DjangoPublishedMarks
from application.reports.submit import SubmitReport
from config.container import container
from domain.ports import Delivery


def submit(owner: int) -> UUID:
    with container.task_queue.override(InMemoryTaskQueue()):
        submitted = container.submit_report()(
            SubmitReport(owner_id=owner, filename="a.csv", size_bytes=8, content=io.BytesIO(b"a,b\n1,2\n"))
        )
    return submitted.job.id


@pytest.mark.django_db(transaction=True)
def test_a_durable_mark_writes_its_entries_even_when_marked_already_and_keeps_their_time(make_user) -> None:  # type: ignore[no-untyped-def]
    """What lets a submit's doorbell ring before its wait for the disk: the mark after it writes
    (so its commit has WAL to flush, up to and past the submit's), without changing the mark."""
    job_id = submit(make_user("alice"))  # published and marked, durably

    def row() -> tuple[Any, ...]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT xmin::text, published_at FROM outbox WHERE job_id = %s", [job_id])
            return tuple(cursor.fetchone())

    delivery = Delivery(job_id=job_id, kind="report.process", attempt=1, queue="default")
    marked = row()
    DjangoPublishedMarks().mark_published([delivery], now=timezone.now())  # relaxed: marked rows are left
    after_relaxed = row()
    DjangoPublishedMarks().mark_published([delivery], now=timezone.now(), durable=True)
    after_durable = row()

    assert marked[1] is not None
    assert after_relaxed == marked
    assert after_durable[1] == marked[1] and after_durable[0] != marked[0]
