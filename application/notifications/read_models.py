"""What the notification use cases return: read models, never entities or records."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.jobs.disclosure import client_text
from application.jobs.read_models import ReadModel
from domain.job import Job
from domain.job_status import JobStatus
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import WebhookEndpoint
from domain.notifications.events import EventType, NotificationEvent
from domain.notifications.preferences import EmailPreferences


class WebhookEndpointView(ReadModel):
    id: UUID
    url: str
    events: list[EventType]
    enabled: bool
    disabled_reason: str
    disabled_at: datetime | None
    consecutive_failures: int
    # while set and ahead, deliveries carry a signature with the previous secret too
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointView:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=sorted(endpoint.events),
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            disabled_at=endpoint.disabled_at,
            consecutive_failures=endpoint.consecutive_failures,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class EndpointWithSecret(WebhookEndpointView):
    """An endpoint just created or whose secret was just rotated: the only time its secret shows."""

    secret: str

    @classmethod
    def of_new(cls, endpoint: WebhookEndpoint) -> EndpointWithSecret:
        return cls(**WebhookEndpointView.of(endpoint).model_dump(), secret=endpoint.secret.value)

    @property
    def endpoint(self) -> WebhookEndpointView:
        return WebhookEndpointView(**self.model_dump(exclude={"secret"}))


class WebhookDeliveryView(ReadModel):
    id: UUID
    endpoint_id: UUID
    event_id: str  # the webhook-id header
    event_type: EventType
    job_id: UUID
    status: JobStatus  # its job's
    attempts: int
    max_attempts: int
    response_status: int | None
    latency_ms: int | None
    attempted_at: datetime | None
    last_error: str
    next_attempt_at: datetime | None
    note: str
    created_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery, job: Job) -> WebhookDeliveryView:
        return cls(
            id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            job_id=job.id,
            status=job.status,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            response_status=delivery.response_status,
            latency_ms=delivery.latency_ms,
            attempted_at=delivery.attempted_at,
            last_error=client_text(job.error, workers=[job.worker]),
            next_attempt_at=job.next_attempt_at,
            note=delivery.note,
            created_at=delivery.created_at,
        )


class WebhookDeliveryDetail(WebhookDeliveryView):
    payload: str  # the exact body sent

    @classmethod
    def with_event(cls, delivery: WebhookDelivery, job: Job, event: NotificationEvent) -> WebhookDeliveryDetail:
        return cls(**WebhookDeliveryView.of(delivery, job).model_dump(), payload=event.body)


class WebhookDeliveryPage(ReadModel):
    items: list[WebhookDeliveryView]
    next_cursor: str | None


class EmailPreferencesView(ReadModel):
    email: str
    email_on_success: bool
    email_on_failure: bool

    @classmethod
    def of(cls, preferences: EmailPreferences) -> EmailPreferencesView:
        return cls(
            email=preferences.email,
            email_on_success=preferences.on_success,
            email_on_failure=preferences.on_failure,
        )
