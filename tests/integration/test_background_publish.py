"""The doorbell after a commit rings on the database thread: the committing caller does not
wait for the broker or the mark, and the entry ends published and marked all the same."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from django.test import override_settings

from adapters.clock import SystemClock
from adapters.orm.background import DatabaseThread, background_for_database
from adapters.orm.models import OutboxRecord
from adapters.orm.outbox import DjangoPublishedMarks
from adapters.orm.unit_of_work import DjangoUnitOfWork
from application.jobs.outbox_dispatcher import OutboxDispatcher
from domain.ports import AtOnce, Delivery, OutboxEntry
from tests.integration.test_outbox_and_keys_contract import T0, delivery_of, job_with_delivery

pytestmark = pytest.mark.django_db(transaction=True)


class HeldQueue:
    """A broker that takes each message only once the test lets it."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.published: list[tuple[Delivery, str]] = []

    def enqueue(self, delivery: Delivery) -> None:
        assert self.release.wait(5), "never released"
        self.published.append((delivery, threading.current_thread().name))


@pytest.fixture
def database_thread() -> DatabaseThread:
    thread = DatabaseThread()
    yield thread
    thread.submit(lambda: connection.close())  # the test database is dropped after: leave no session on it
    assert thread.drain()


def test_the_caller_goes_on_while_the_entry_is_published_and_marked_on_the_database_thread(
    make_user, database_thread: DatabaseThread
) -> None:  # type: ignore[no-untyped-def]
    job, entry_id = job_with_delivery(DjangoUnitOfWork(), make_user("alice"), available_at=T0)
    queue = HeldQueue()
    marks, clock = DjangoPublishedMarks(), SystemClock()
    background = database_thread
    dispatcher = OutboxDispatcher(uow=DjangoUnitOfWork(), marks=marks, queue=queue, clock=clock, background=background)

    dispatcher.publish_soon([OutboxEntry(delivery=delivery_of(job), available_at=T0)])
    while_held = (list(queue.published), OutboxRecord.objects.get(id=entry_id).published_at)
    queue.release.set()
    assert database_thread.drain()

    assert while_held == ([], None)  # publish_soon returned before the broker took it
    [(delivery, thread)] = queue.published
    assert (delivery.job_id, thread) == (job.id, "database-background")
    assert OutboxRecord.objects.get(id=entry_id).published_at is not None


def test_work_that_fails_is_logged_and_the_work_after_it_still_runs(
    database_thread: DatabaseThread, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def failing() -> None:
        raise RuntimeError("broker exploded")

    with caplog.at_level(logging.ERROR, logger="adapters.orm.background"):
        database_thread.submit(failing)
        database_thread.submit(lambda: ran.append(datetime.now(UTC).isoformat()))
        assert database_thread.drain()

    assert len(ran) == 1
    assert "background work failed" in caplog.text and "broker exploded" in caplog.text


def test_the_setting_turns_the_database_thread_off() -> None:
    with override_settings(PUBLISH_IN_BACKGROUND=True):
        on = background_for_database()
    with override_settings(PUBLISH_IN_BACKGROUND=False):
        off = background_for_database()

    assert isinstance(on, DatabaseThread)
    assert isinstance(off, AtOnce)


def test_the_connection_is_checked_before_work_after_a_pause_not_before_work_that_keeps_coming(
    database_thread: DatabaseThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.orm.background.CHECK_AFTER_SECONDS", 0.5)  # far above a loaded machine's stalls
    checks: list[str] = []
    wrapper = type(connections["default"])
    check = wrapper.close_if_unusable_or_obsolete

    def counted(self):  # type: ignore[no-untyped-def]
        checks.append(threading.current_thread().name)
        return check(self)

    monkeypatch.setattr(wrapper, "close_if_unusable_or_obsolete", counted)
    held = threading.Event()
    database_thread.submit(lambda: held.wait(5))
    for _ in range(5):
        database_thread.submit(lambda: connection.cursor().execute("SELECT 1"))
    held.set()
    assert database_thread.drain()
    back_to_back = len(checks)
    threading.Event().wait(0.7)
    database_thread.submit(lambda: None)
    assert database_thread.drain()

    assert back_to_back == 1  # the first work's, after the thread started
    assert checks == ["database-background"] * 2


def test_work_that_keeps_coming_for_long_is_checked_again_each_interval_not_each_item(
    database_thread: DatabaseThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.orm.background.CHECK_AFTER_SECONDS", 0.3)
    checks: list[float] = []
    wrapper = type(connections["default"])
    check = wrapper.close_if_unusable_or_obsolete

    def counted(self):  # type: ignore[no-untyped-def]
        checks.append(time.monotonic())
        return check(self)

    monkeypatch.setattr(wrapper, "close_if_unusable_or_obsolete", counted)
    for _ in range(8):  # 0.8 s of work with no pause between items
        database_thread.submit(lambda: time.sleep(0.1))
    assert database_thread.drain()

    assert 2 <= len(checks) <= 4  # an old or broken connection is still found within the interval
