"""A user's webhook endpoints: one, or all of them."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application.notifications.owned import owned_endpoint
from application.notifications.read_models import WebhookEndpointView
from domain.ports import UnitOfWork


class GetWebhookEndpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID


class GetWebhookEndpointHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetWebhookEndpoint) -> WebhookEndpointView:
        """Raises NotFound, also for another owner's endpoint."""
        with self._uow as uow:
            return WebhookEndpointView.of(owned_endpoint(uow, query.owner_id, query.endpoint_id))


class ListWebhookEndpoints(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int


class ListWebhookEndpointsHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: ListWebhookEndpoints) -> list[WebhookEndpointView]:
        """Oldest first; a user has a bounded number of them, so there are no pages."""
        with self._uow as uow:
            return [WebhookEndpointView.of(e) for e in uow.webhook_endpoints.list_for_owner(query.owner_id)]
