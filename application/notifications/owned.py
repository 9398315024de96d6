"""Reading what a user owns: another owner's endpoint or delivery is not found, like a missing one."""

from __future__ import annotations

from uuid import UUID

from application.errors import NotFound
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import WebhookEndpoint
from domain.ports import UnitOfWork


def owned_endpoint(
    uow: UnitOfWork, owner_id: int, endpoint_id: UUID, *, for_update: bool = False, any_owner: bool = False
) -> WebhookEndpoint:
    """Raises NotFound. `any_owner`: staff reach every owner's endpoint."""
    endpoint = (
        uow.webhook_endpoints.get(endpoint_id, for_update=for_update)
        if any_owner
        else uow.webhook_endpoints.get_for_owner(endpoint_id, owner_id, for_update=for_update)
    )
    if endpoint is None:
        raise NotFound("webhook endpoint", endpoint_id)
    return endpoint


def owned_delivery(uow: UnitOfWork, endpoint: WebhookEndpoint, delivery_id: UUID) -> WebhookDelivery:
    """Raises NotFound, also for a delivery of another endpoint."""
    delivery = uow.webhook_deliveries.get(delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("webhook delivery", delivery_id)
    return delivery
