"""Change a webhook endpoint (URL, events, enabled), or delete it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.notifications.destinations import DestinationCheck
from application.notifications.owned import owned_endpoint
from application.notifications.read_models import WebhookEndpointView
from domain.notifications.events import EventType
from domain.ports import Clock, UnitOfWork


class ChangeWebhookEndpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: frozenset[EventType] | None = Field(default=None, min_length=1)
    enabled: bool | None = None


class ChangeWebhookEndpointHandler:
    def __init__(self, *, uow: UnitOfWork, check: DestinationCheck, clock: Clock) -> None:
        self._uow = uow
        self._check = check
        self._clock = clock

    def __call__(self, cmd: ChangeWebhookEndpoint) -> WebhookEndpointView:
        """Raises NotFound, or RefusedDestination for a new URL that may not be called.
        Enabling a disabled endpoint forgets the failures that disabled it."""
        url = self._check.for_endpoint(cmd.url) if cmd.url is not None else None
        with self._uow as uow:
            endpoint = owned_endpoint(uow, cmd.owner_id, cmd.endpoint_id, for_update=True)
            endpoint.change(now=self._clock.now(), url=url, events=cmd.events, enabled=cmd.enabled)
            uow.webhook_endpoints.save(endpoint)
            uow.commit()
        return WebhookEndpointView.of(endpoint)


class DeleteWebhookEndpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID


class DeleteWebhookEndpointHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: DeleteWebhookEndpoint) -> None:
        """Removes the endpoint and its delivery log; its waiting deliveries fail. Raises NotFound."""
        with self._uow as uow:
            endpoint = owned_endpoint(uow, cmd.owner_id, cmd.endpoint_id, for_update=True)
            uow.webhook_endpoints.delete(endpoint.id)
            uow.commit()
