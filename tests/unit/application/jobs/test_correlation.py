"""A job keeps the correlation (request id, trace context) of the request that caused it, and
every delivery of it, its children's and its notifications' carry it to the worker."""

from __future__ import annotations

from application.notifications.kinds import WEBHOOK_JOB_KIND
from domain.errors import TransientError
from domain.notifications.events import EventType
from tests.unit.application.conftest import World
from tests.unit.application.notifications.conftest import add_endpoint, deliveries_of
from tests.unit.application.reports.test_fan_out import BIG

REQUEST = {"request_id": "req-1", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


def test_a_submitted_job_and_its_delivery_carry_the_request_correlation_and_the_owner() -> None:
    world = World(correlation=dict(REQUEST))

    submitted = world.submit()

    assert world.job(submitted.job.id).correlation == REQUEST
    [delivery] = world.queue.deliveries
    assert delivery.correlation == {**REQUEST, "user_id": "1"}


def test_a_retry_delivered_later_carries_the_correlation_of_the_request_not_of_what_runs_then() -> None:
    world = World(correlation=dict(REQUEST))
    submitted = world.submit()
    world.correlation = {}
    world.fail_next(TransientError("flaky"))
    world.process(submitted.job.id, 1)

    world.clock.advance(seconds=600)
    world.relay()

    retry = world.queue.deliveries[-1]
    assert (retry.attempt, retry.correlation) == (2, {**REQUEST, "user_id": "1"})


def test_notifications_of_a_job_end_carry_the_request_id_of_the_job_that_ended() -> None:
    world = World(correlation=dict(REQUEST))
    endpoint = add_endpoint(world, events=[EventType.JOB_SUCCEEDED])
    submitted = world.submit()
    world.correlation = {"request_id": "someone-else"}

    world.process(submitted.job.id, 1)

    [(_, webhook_job)] = deliveries_of(world, endpoint.endpoint.id)
    assert world.job(webhook_job.id).correlation == REQUEST
    [delivery] = [d for d in world.queue.deliveries if d.kind == WEBHOOK_JOB_KIND]
    assert delivery.correlation["request_id"] == "req-1"


def test_chunks_of_a_large_report_carry_their_parents_correlation() -> None:
    world = World(correlation=dict(REQUEST))
    submitted = world.submit(BIG)
    world.correlation = {}

    world.process(submitted.job.id, 1)

    chunk_deliveries = [d for d in world.queue.deliveries if d.job_id != submitted.job.id]
    assert chunk_deliveries
    assert {d.correlation["request_id"] for d in chunk_deliveries} == {"req-1"}
