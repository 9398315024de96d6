"""An endpoint's delivery log, newest first, one page at a time; and one delivery with the
exact body it sends."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.errors import NotFound
from application.jobs.cursor import decode_cursor, encode_cursor
from application.notifications.owned import owned_delivery, owned_endpoint
from application.notifications.read_models import WebhookDeliveryDetail, WebhookDeliveryPage, WebhookDeliveryView
from domain.ports import JobCursor, UnitOfWork


class ListWebhookDeliveries(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class ListWebhookDeliveriesHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: ListWebhookDeliveries) -> WebhookDeliveryPage:
        """Raises NotFound, or InvalidCursor for a cursor we did not hand out."""
        # the cursor is a (created_at, id) position, as for jobs; here the id is a delivery's
        after = decode_cursor(query.cursor) if query.cursor else None
        with self._uow as uow:
            endpoint = owned_endpoint(uow, query.owner_id, query.endpoint_id)
            rows = uow.webhook_deliveries.list_for_endpoint(endpoint.id, after=after, limit=query.limit + 1)
        page, more = rows[: query.limit], len(rows) > query.limit
        last = page[-1][0] if more else None
        return WebhookDeliveryPage(
            items=[WebhookDeliveryView.of(delivery, job) for delivery, job in page],
            next_cursor=encode_cursor(JobCursor(created_at=last.created_at, job_id=last.id)) if last else None,
        )


class GetWebhookDelivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID
    delivery_id: UUID


class GetWebhookDeliveryHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetWebhookDelivery) -> WebhookDeliveryDetail:
        """Raises NotFound, also for another owner's or another endpoint's delivery."""
        with self._uow as uow:
            endpoint = owned_endpoint(uow, query.owner_id, query.endpoint_id)
            delivery = owned_delivery(uow, endpoint, query.delivery_id)
            job = uow.jobs.get(delivery.job_id)
            event = uow.notification_events.get(delivery.event_id)
        if job is None or event is None:
            raise NotFound("webhook delivery", query.delivery_id)
        return WebhookDeliveryDetail.with_event(delivery, job, event)
