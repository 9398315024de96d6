"""Creating a webhook delivery: a delivery record and the job that sends it, in the caller's
transition, so the job and its first outbox entry commit with whatever caused them."""

from __future__ import annotations

import uuid

from application.jobs.transition import Transition
from application.notifications.kinds import WEBHOOK_JOB_KIND
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import WebhookEndpoint
from domain.notifications.events import NotificationEvent


def schedule_delivery(
    transition: Transition, event: NotificationEvent, endpoint: WebhookEndpoint, *, actor: str
) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    job = transition.kinds.create(
        WEBHOOK_JOB_KIND,
        owner_id=endpoint.owner_id,
        now=transition.now,
        actor=actor,
        payload={"delivery_id": str(delivery_id), "endpoint_id": str(endpoint.id), "event_id": event.id},
    )
    transition.add(job)
    delivery = WebhookDelivery(
        id=delivery_id,
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=event.type,
        job_id=job.id,
        created_at=transition.now,
    )
    transition.uow.webhook_deliveries.add(delivery)
    return delivery
