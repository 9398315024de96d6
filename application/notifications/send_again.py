"""Send on request: a test ping to an endpoint, or an earlier event again (a redelivery keeps
the event's id, so a receiver that already has it drops it). Each is a new delivery job,
created with its outbox entry in one transaction."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application import actors
from application.errors import NotFound
from application.jobs.transition import JobTransitions
from application.notifications.deliveries import schedule_delivery
from application.notifications.errors import EndpointDisabled
from application.notifications.events import ping_event
from application.notifications.owned import owned_delivery, owned_endpoint
from application.notifications.read_models import WebhookDeliveryView
from domain.ports import Clock, UnitOfWork


class SendTestEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID


class Redeliver(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int  # who asks: the endpoint's owner, or staff (any owner's endpoint)
    endpoint_id: UUID
    delivery_id: UUID
    is_staff: bool = False


class SendTestEventHandler:
    def __init__(self, *, uow: UnitOfWork, transitions: JobTransitions, clock: Clock) -> None:
        self._uow = uow
        self._transitions = transitions
        self._clock = clock

    def __call__(self, cmd: SendTestEvent) -> WebhookDeliveryView:
        """The delivery of a signed `ping` event. Raises NotFound, or EndpointDisabled."""
        with self._uow as uow:
            endpoint = owned_endpoint(uow, cmd.owner_id, cmd.endpoint_id)
            if not endpoint.enabled:
                raise EndpointDisabled(endpoint.disabled_reason)
            transition = self._transitions.begin(uow, now=self._clock.now(), actor=actors.user(cmd.owner_id))
            event = ping_event(endpoint, now=transition.now)
            uow.notification_events.add(event)
            delivery = schedule_delivery(transition, event, endpoint, actor=transition.actor)
            job = uow.jobs.get(delivery.job_id)
            transition.commit()
        assert job is not None
        return WebhookDeliveryView.of(delivery, job)


class RedeliverHandler:
    def __init__(self, *, uow: UnitOfWork, transitions: JobTransitions, clock: Clock) -> None:
        self._uow = uow
        self._transitions = transitions
        self._clock = clock

    def __call__(self, cmd: Redeliver) -> WebhookDeliveryView:
        """A new delivery of the same event to the same endpoint, its audit trail naming the
        user who asked. Raises NotFound, or EndpointDisabled."""
        with self._uow as uow:
            endpoint = owned_endpoint(uow, cmd.owner_id, cmd.endpoint_id, any_owner=cmd.is_staff)
            earlier = owned_delivery(uow, endpoint, cmd.delivery_id)
            event = uow.notification_events.get(earlier.event_id)
            if event is None:
                raise NotFound("webhook delivery", cmd.delivery_id)
            if not endpoint.enabled:
                raise EndpointDisabled(endpoint.disabled_reason)
            transition = self._transitions.begin(uow, now=self._clock.now(), actor=actors.user(cmd.owner_id))
            delivery = schedule_delivery(transition, event, endpoint, actor=transition.actor)
            job = uow.jobs.get(delivery.job_id)
            transition.commit()
        assert job is not None
        return WebhookDeliveryView.of(delivery, job)
