"""Register a webhook endpoint: check its URL (SSRF), give it a fresh signing secret."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from application.notifications.destinations import DestinationCheck
from application.notifications.errors import TooManyEndpoints
from application.notifications.read_models import EndpointWithSecret
from application.notifications.settings import NotificationSettings
from domain.notifications.endpoint import SigningSecret, WebhookEndpoint
from domain.notifications.events import EventType
from domain.ports import Clock, UnitOfWork


class CreateWebhookEndpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    url: str = Field(min_length=1, max_length=2000)
    events: frozenset[EventType] = Field(min_length=1)


class CreateWebhookEndpointHandler:
    def __init__(
        self, *, uow: UnitOfWork, check: DestinationCheck, clock: Clock, settings: NotificationSettings
    ) -> None:
        self._uow = uow
        self._check = check
        self._clock = clock
        self._settings = settings

    def __call__(self, cmd: CreateWebhookEndpoint) -> EndpointWithSecret:
        """The endpoint and its secret, shown this once. Raises RefusedDestination for a URL
        that may not be called, TooManyEndpoints past the limit per user."""
        url = self._check.for_endpoint(cmd.url)
        endpoint = WebhookEndpoint.create(
            id=uuid.uuid4(),
            owner_id=cmd.owner_id,
            url=url,
            events=cmd.events,
            secret=SigningSecret.generate(),
            now=self._clock.now(),
        )
        with self._uow as uow:
            if len(uow.webhook_endpoints.list_for_owner(cmd.owner_id)) >= self._settings.max_endpoints_per_owner:
                raise TooManyEndpoints(self._settings.max_endpoints_per_owner)
            uow.webhook_endpoints.add(endpoint)
            uow.commit()
        return EndpointWithSecret.of_new(endpoint)
