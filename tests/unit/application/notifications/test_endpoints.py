"""Managing webhook endpoints: create with a secret shown once, change, rotate, delete, owner-scoped."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_address

import pytest

from application.errors import NotFound
from application.notifications.change_endpoint import (
    ChangeWebhookEndpoint,
    ChangeWebhookEndpointHandler,
    DeleteWebhookEndpoint,
    DeleteWebhookEndpointHandler,
)
from application.notifications.errors import TooManyEndpoints
from application.notifications.get_endpoints import (
    GetWebhookEndpoint,
    GetWebhookEndpointHandler,
    ListWebhookEndpoints,
    ListWebhookEndpointsHandler,
)
from application.notifications.read_models import WebhookEndpointView
from application.notifications.rotate_secret import RotateWebhookSecret, RotateWebhookSecretHandler
from domain.notifications.errors import RefusedDestination
from domain.notifications.events import EventType
from tests.unit.application.conftest import World
from tests.unit.application.notifications.conftest import add_endpoint


def change(world: World, **fields: object) -> WebhookEndpointView:
    handler = ChangeWebhookEndpointHandler(uow=world.uow, check=world.destination_check, clock=world.clock)
    return handler(ChangeWebhookEndpoint(owner_id=1, **fields))  # type: ignore[arg-type]


def test_a_new_endpoint_gets_a_standard_webhooks_secret_shown_only_at_creation(world: World) -> None:
    created = add_endpoint(world, events=[EventType.JOB_FAILED, EventType.JOB_DEAD])

    shown = GetWebhookEndpointHandler(uow=world.uow)(GetWebhookEndpoint(owner_id=1, endpoint_id=created.endpoint.id))

    assert created.secret.startswith("whsec_") and len(created.secret) == len("whsec_") + 44
    assert shown == created.endpoint
    assert "secret" not in shown.model_dump()
    assert (shown.enabled, shown.events) == (True, [EventType.JOB_DEAD, EventType.JOB_FAILED])


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/x",
        "https://user:pass@hooks.example.com/x",
        "http://127.0.0.1/x",
        "http://2130706433/x",
        "http://[::1]/x",
        "https://unknown.example.org/x",
        "https://hooks.example.com/with space",
    ],
)
def test_a_url_that_may_not_be_called_is_refused_at_creation(world: World, url: str) -> None:
    with pytest.raises(RefusedDestination):
        add_endpoint(world, url=url)

    assert world.uow.state.webhook_endpoints == {}


def test_an_unresolvable_host_and_an_internal_one_are_refused_with_the_same_words(world: World) -> None:
    world.resolver.names["db.internal"] = [ip_address("10.1.2.3")]

    with pytest.raises(RefusedDestination) as internal:
        add_endpoint(world, url="https://db.internal/")
    with pytest.raises(RefusedDestination) as unknown:
        add_endpoint(world, url="https://nowhere.internal/")

    assert str(internal.value) == "db.internal does not resolve to public addresses only"
    assert str(unknown.value) == "nowhere.internal does not resolve to public addresses only"


def test_a_changed_url_is_checked_again(world: World) -> None:
    created = add_endpoint(world)

    with pytest.raises(RefusedDestination):
        change(world, endpoint_id=created.endpoint.id, url="http://169.254.169.254/latest/meta-data/")

    assert world.uow.state.webhook_endpoints[created.endpoint.id].url == created.endpoint.url


def test_enabling_an_endpoint_again_forgets_the_failures_that_disabled_it(world: World) -> None:
    created = add_endpoint(world)
    with world.uow as uow:
        endpoint = uow.webhook_endpoints.get(created.endpoint.id)
        assert endpoint is not None
        for _ in range(3):
            endpoint.record_failed_delivery(now=world.clock.now(), disable_after=3)
        uow.webhook_endpoints.save(endpoint)
        uow.commit()

    enabled = change(world, endpoint_id=created.endpoint.id, enabled=True, events=[EventType.JOB_SUCCEEDED])

    assert enabled.model_dump(include={"enabled", "consecutive_failures", "disabled_reason", "events"}) == {
        "enabled": True,
        "consecutive_failures": 0,
        "disabled_reason": "",
        "events": [EventType.JOB_SUCCEEDED],
    }


def test_rotation_shows_a_new_secret_and_keeps_the_old_one_for_the_grace_period(world: World) -> None:
    created = add_endpoint(world)

    rotated = RotateWebhookSecretHandler(uow=world.uow, clock=world.clock, settings=world.notification_settings)(
        RotateWebhookSecret(owner_id=1, endpoint_id=created.endpoint.id)
    )

    endpoint = world.uow.state.webhook_endpoints[created.endpoint.id]
    assert rotated.secret != created.secret
    assert [s.value for s in endpoint.signing_secrets(world.clock.now())] == [rotated.secret, created.secret]
    assert rotated.endpoint.previous_secret_expires_at == world.clock.now() + timedelta(seconds=3600)


def test_another_owner_s_endpoint_is_not_found_for_reading_changing_rotating_or_deleting(world: World) -> None:
    bobs = add_endpoint(world, owner_id=2)
    endpoint_id = bobs.endpoint.id

    attempts = [
        lambda: GetWebhookEndpointHandler(uow=world.uow)(GetWebhookEndpoint(owner_id=1, endpoint_id=endpoint_id)),
        lambda: change(world, endpoint_id=endpoint_id, enabled=False),
        lambda: RotateWebhookSecretHandler(uow=world.uow, clock=world.clock, settings=world.notification_settings)(
            RotateWebhookSecret(owner_id=1, endpoint_id=endpoint_id)
        ),
        lambda: DeleteWebhookEndpointHandler(uow=world.uow)(DeleteWebhookEndpoint(owner_id=1, endpoint_id=endpoint_id)),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()

    assert ListWebhookEndpointsHandler(uow=world.uow)(ListWebhookEndpoints(owner_id=1)) == []
    assert world.uow.state.webhook_endpoints[endpoint_id].enabled


def test_deleting_an_endpoint_removes_it_and_its_delivery_log(world: World) -> None:
    created = add_endpoint(world)
    world.submit()
    world.run_queue()

    DeleteWebhookEndpointHandler(uow=world.uow)(DeleteWebhookEndpoint(owner_id=1, endpoint_id=created.endpoint.id))

    assert world.uow.state.webhook_endpoints == {}
    assert world.uow.state.webhook_deliveries == {}


def test_a_user_has_a_bounded_number_of_endpoints(world: World) -> None:
    world.notification_settings = world.notification_settings.model_copy(update={"max_endpoints_per_owner": 2})
    add_endpoint(world)
    add_endpoint(world)

    with pytest.raises(TooManyEndpoints):
        add_endpoint(world)

    add_endpoint(world, owner_id=2)
