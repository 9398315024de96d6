"""Sending on request: a signed ping, and a redelivery of an earlier event under its id."""

from __future__ import annotations

import json

import pytest

from application.errors import NotFound
from application.notifications.errors import EndpointDisabled
from application.notifications.send_again import Redeliver, RedeliverHandler, SendTestEvent, SendTestEventHandler
from domain.job_status import JobStatus
from tests.unit.application.conftest import World
from tests.unit.application.notifications.conftest import add_endpoint, deliveries_of, disable, verified


def ping(world: World, endpoint_id: object, owner_id: int = 1) -> object:
    handler = SendTestEventHandler(uow=world.uow, transitions=world.transitions, clock=world.clock)
    return handler(SendTestEvent(owner_id=owner_id, endpoint_id=endpoint_id))  # type: ignore[arg-type]


def redeliver(world: World, endpoint_id: object, delivery_id: object, owner_id: int = 1) -> object:
    handler = RedeliverHandler(uow=world.uow, transitions=world.transitions, clock=world.clock)
    return handler(Redeliver(owner_id=owner_id, endpoint_id=endpoint_id, delivery_id=delivery_id))  # type: ignore[arg-type]


def test_a_test_event_is_a_signed_ping_delivered_like_any_other(world: World) -> None:
    endpoint = add_endpoint(world)

    ping(world, endpoint.endpoint.id)
    world.run_queue()

    [request] = world.sender.requests
    body = verified(endpoint.secret, request)
    assert body["type"] == "ping"
    assert body["data"]["endpoint_id"] == str(endpoint.endpoint.id)
    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (delivery.event_type, job.status) == ("ping", JobStatus.SUCCEEDED)


def test_a_redelivery_sends_the_same_event_under_the_same_webhook_id_as_a_new_delivery(world: World) -> None:
    endpoint = add_endpoint(world)
    world.submit()
    world.run_queue()
    [(first, _)] = deliveries_of(world, endpoint.endpoint.id)

    redeliver(world, endpoint.endpoint.id, first.id)
    world.run_queue()

    original, again = world.sender.requests
    assert again.headers["webhook-id"] == original.headers["webhook-id"]
    assert json.loads(again.body) == json.loads(original.body)
    log = deliveries_of(world, endpoint.endpoint.id)
    assert [(d.event_id, job.status) for d, job in log] == [(first.event_id, JobStatus.SUCCEEDED)] * 2


def test_nothing_is_sent_on_request_to_a_disabled_endpoint(world: World) -> None:
    endpoint = add_endpoint(world)
    world.submit()
    world.run_queue()
    [(first, _)] = deliveries_of(world, endpoint.endpoint.id)
    disable(world, endpoint.endpoint.id, gone=True)

    with pytest.raises(EndpointDisabled):
        ping(world, endpoint.endpoint.id)
    with pytest.raises(EndpointDisabled):
        redeliver(world, endpoint.endpoint.id, first.id)

    assert len(deliveries_of(world, endpoint.endpoint.id)) == 1


def test_another_owner_s_endpoint_or_another_endpoint_s_delivery_is_not_found(world: World) -> None:
    mine = add_endpoint(world)
    other = add_endpoint(world, url="https://hooks.example.com/other")
    world.submit()
    world.run_queue()
    [(delivery, _)] = deliveries_of(world, mine.endpoint.id)

    with pytest.raises(NotFound):
        ping(world, mine.endpoint.id, owner_id=2)
    with pytest.raises(NotFound):
        redeliver(world, mine.endpoint.id, delivery.id, owner_id=2)
    with pytest.raises(NotFound):
        redeliver(world, other.endpoint.id, delivery.id)


def test_staff_redeliver_any_owner_s_delivery_and_the_new_delivery_s_trail_names_them(world: World) -> None:
    endpoint = add_endpoint(world)
    world.submit()
    world.run_queue()
    [(first, _)] = deliveries_of(world, endpoint.endpoint.id)
    handler = RedeliverHandler(uow=world.uow, transitions=world.transitions, clock=world.clock)

    again = handler(Redeliver(owner_id=99, is_staff=True, endpoint_id=endpoint.endpoint.id, delivery_id=first.id))
    world.run_queue()

    [(redelivered, job)] = [(d, job) for d, job in deliveries_of(world, endpoint.endpoint.id) if d.id == again.id]
    assert redelivered.event_id == first.event_id
    assert job.status == JobStatus.SUCCEEDED
    assert world.uow.jobs.events(job.id)[0].actor == "user:99"
    assert len(world.sender.requests) == 2
