from __future__ import annotations

from collections.abc import Callable

from adapters.memory import InMemoryUnitOfWork
from domain.ports import QueueUnavailable
from tests.unit.application.conftest import World


def test_the_relay_publishes_what_the_broker_refused_once_it_is_back(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("down")
    ids = [world.submit().job.id for _ in range(3)]

    during = world.relay()
    world.queue.fail_with = None
    after = world.relay()
    nothing_left = world.relay()

    assert (during.published, during.failed) == (0, 3)
    assert after.published == 3
    assert nothing_left.published == 0
    assert sorted(d.job_id for d in world.queue.deliveries) == sorted(ids)


def test_an_outage_is_noted_on_the_entries(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("connection refused")
    world.submit()

    (row,) = world.uow.state.outbox.values()

    assert (row.publish_failures, row.last_error, row.published_at) == (1, "connection refused", None)


def test_the_relay_works_in_batches_until_done(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("down")
    for _ in range(5):
        world.submit()
    world.queue.fail_with = None
    dispatcher = world.dispatcher
    dispatcher._batch_size = 2

    report = dispatcher.relay()

    assert report.published == 5


def test_entries_published_right_after_commit_are_marked_without_a_unit_of_work(world: World) -> None:
    class NoTransactions(InMemoryUnitOfWork):
        def __enter__(self) -> InMemoryUnitOfWork:
            raise AssertionError("the mark after a publish needs no transaction")

    dispatcher = world.dispatcher
    dispatcher._uow = NoTransactions(world.uow.state)
    world.queue.fail_with = QueueUnavailable("down")
    world.submit()
    (entry,) = (row.entry for row in world.uow.state.outbox.values())
    world.queue.fail_with = None

    report = dispatcher.publish([entry])

    assert (report.published, report.failed) == (1, 0)
    assert world.uow.state.outbox[entry.id].published_at is not None


def test_publishing_soon_hands_the_publish_and_the_mark_to_the_background(world: World) -> None:
    class Later:
        def __init__(self) -> None:
            self.work: list[Callable[[], object]] = []

        def submit(self, work: Callable[[], object]) -> None:
            self.work.append(work)

    world.queue.fail_with = QueueUnavailable("down")
    world.submit()
    (entry,) = (row.entry for row in world.uow.state.outbox.values())
    world.queue.fail_with = None
    published_before = len(world.queue.deliveries)
    later = Later()
    dispatcher = world.dispatcher
    dispatcher._background = later

    dispatcher.publish_soon([entry])
    waiting = (len(world.queue.deliveries), world.uow.state.outbox[entry.id].published_at)
    for work in later.work:
        work()

    assert waiting == (published_before, None)  # the caller went on before either
    assert len(world.queue.deliveries) == published_before + 1
    assert world.uow.state.outbox[entry.id].published_at is not None


def test_a_durable_publish_always_ends_with_its_durable_mark_even_if_the_clock_stepped_back(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("down")
    world.submit()
    (entry,) = (row.entry for row in world.uow.state.outbox.values())
    world.queue.fail_with = None
    marks_before = len(world.durable_marks)
    world.clock.advance(-5)  # the entry now looks due in the future

    report = world.dispatcher.publish([entry], durable=True)

    assert (report.published, report.failed) == (1, 0)
    assert len(world.durable_marks) == marks_before + 1
