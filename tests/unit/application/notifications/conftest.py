from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from standardwebhooks.webhooks import Webhook

from adapters.memory import FixedClock
from application.notifications.create_endpoint import CreateWebhookEndpoint, CreateWebhookEndpointHandler
from application.notifications.ports import WebhookRequest
from application.notifications.read_models import EndpointWithSecret
from domain.job import Job
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.events import EventType, NotificationEvent
from tests.unit.application.conftest import World

HOOK_URL = "https://hooks.example.com/reportflow"
ALL_JOB_EVENTS = (EventType.JOB_SUCCEEDED, EventType.JOB_FAILED, EventType.JOB_DEAD, EventType.JOB_CANCELLED)


@pytest.fixture
def world() -> World:
    # the clock starts at the real time, so receivers' signature checks (5 minutes' tolerance) apply
    return World(clock=FixedClock(datetime.now(UTC).replace(microsecond=0)))


def add_endpoint(
    world: World, url: str = HOOK_URL, events: Iterable[EventType] = ALL_JOB_EVENTS, owner_id: int = 1
) -> EndpointWithSecret:
    handler = CreateWebhookEndpointHandler(
        uow=world.uow, check=world.destination_check, clock=world.clock, settings=world.notification_settings
    )
    return handler(CreateWebhookEndpoint(owner_id=owner_id, url=url, events=frozenset(events)))


def disable(world: World, endpoint_id: UUID, *, gone: bool = False) -> None:
    """Disable the endpoint as its owner does, or as a 410 answer does."""
    with world.uow as uow:
        endpoint = uow.webhook_endpoints.get(endpoint_id)
        assert endpoint is not None
        if gone:
            endpoint.gone(now=world.clock.now())
        else:
            endpoint.change(now=world.clock.now(), enabled=False)
        uow.webhook_endpoints.save(endpoint)
        uow.commit()


def deliveries_of(world: World, endpoint_id: UUID) -> list[tuple[WebhookDelivery, Job]]:
    with world.fresh_uow() as uow:
        return list(reversed(uow.webhook_deliveries.list_for_endpoint(endpoint_id, limit=1000)))


def events_of(world: World) -> list[NotificationEvent]:
    return sorted(world.uow.state.notification_events.values(), key=lambda event: event.timestamp)


def verified(secret: str, request: WebhookRequest) -> Any:
    """The payload, if the request carries a valid Standard Webhooks signature for `secret`."""
    return Webhook(secret).verify(request.body, request.headers)


def deliver_all(world: World, rounds: int = 10, wait: float = 61) -> None:
    """Run everything queued; then let retry delays pass and run what became due, until idle."""
    for _ in range(rounds):
        world.run_queue()
        world.clock.advance(wait)
        world.relay()
        if not world.queue.deliveries:
            return
