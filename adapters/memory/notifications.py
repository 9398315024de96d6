"""In-memory notification repositories and fakes for the notification ports."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from adapters.memory.repositories import InMemoryState
from application.jobs.read_models import JobView
from application.notifications.ports import (
    EmailMessage,
    HostNotResolved,
    WebhookExchange,
    WebhookRequest,
)
from domain.errors import JobError
from domain.job import Job
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.destination import IPAddress
from domain.notifications.endpoint import WebhookEndpoint
from domain.notifications.events import NotificationEvent
from domain.notifications.preferences import EmailPreferences
from domain.ports import JobCursor, NotificationTargets


class InMemoryWebhookEndpointRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.id in self._state.webhook_endpoints:
            raise ValueError(f"endpoint {endpoint.id} exists")
        self.save(endpoint)

    def save(self, endpoint: WebhookEndpoint) -> None:
        self._state.webhook_endpoints[endpoint.id] = copy.deepcopy(endpoint)

    def delete(self, endpoint_id: UUID) -> None:
        self._state.webhook_endpoints.pop(endpoint_id, None)
        for delivery_id in [d.id for d in self._state.webhook_deliveries.values() if d.endpoint_id == endpoint_id]:
            del self._state.webhook_deliveries[delivery_id]

    def get(self, endpoint_id: UUID, *, for_update: bool = False) -> WebhookEndpoint | None:
        endpoint = self._state.webhook_endpoints.get(endpoint_id)
        return copy.deepcopy(endpoint) if endpoint else None

    def get_for_owner(self, endpoint_id: UUID, owner_id: int, *, for_update: bool = False) -> WebhookEndpoint | None:
        endpoint = self.get(endpoint_id)
        return endpoint if endpoint and endpoint.owner_id == owner_id else None

    def list_for_owner(self, owner_id: int) -> list[WebhookEndpoint]:
        owned = [e for e in self._state.webhook_endpoints.values() if e.owner_id == owner_id]
        return [copy.deepcopy(e) for e in sorted(owned, key=lambda e: (e.created_at, e.id))]


class InMemoryNotificationEventRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, event: NotificationEvent) -> None:
        if event.id in self._state.notification_events:
            raise ValueError(f"event {event.id} exists")
        self._state.notification_events[event.id] = event

    def get(self, event_id: str) -> NotificationEvent | None:
        return self._state.notification_events.get(event_id)


class InMemoryWebhookDeliveryRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, delivery: WebhookDelivery) -> None:
        if delivery.id in self._state.webhook_deliveries:
            raise ValueError(f"delivery {delivery.id} exists")
        if delivery.job_id not in self._state.jobs or delivery.endpoint_id not in self._state.webhook_endpoints:
            raise ValueError("a delivery needs its job and its endpoint")  # the database's foreign keys
        self.save(delivery)

    def save(self, delivery: WebhookDelivery) -> None:
        self._state.webhook_deliveries[delivery.id] = copy.deepcopy(delivery)

    def get(self, delivery_id: UUID) -> WebhookDelivery | None:
        delivery = self._state.webhook_deliveries.get(delivery_id)
        return copy.deepcopy(delivery) if delivery else None

    def list_for_endpoint(
        self, endpoint_id: UUID, *, after: JobCursor | None = None, limit: int = 50
    ) -> list[tuple[WebhookDelivery, Job]]:
        deliveries = sorted(
            (
                d
                for d in self._state.webhook_deliveries.values()
                if d.endpoint_id == endpoint_id
                and (after is None or (d.created_at, d.id) < (after.created_at, after.job_id))
            ),
            key=lambda d: (d.created_at, d.id),
            reverse=True,
        )[:limit]
        return [(copy.deepcopy(d), copy.deepcopy(self._state.jobs[d.job_id])) for d in deliveries]


class InMemoryEmailPreferencesRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def get(self, owner_id: int) -> EmailPreferences:
        return self._state.email_preferences.get(owner_id) or EmailPreferences(owner_id=owner_id)

    def save(self, preferences: EmailPreferences) -> None:
        self._state.email_preferences[preferences.owner_id] = preferences


class InMemoryNotificationTargets:
    def __init__(self, state: InMemoryState) -> None:
        self._endpoints = InMemoryWebhookEndpointRepository(state)
        self._email = InMemoryEmailPreferencesRepository(state)

    def of_owner(self, owner_id: int) -> NotificationTargets:
        return NotificationTargets(endpoints=self._endpoints.list_for_owner(owner_id), email=self._email.get(owner_id))


class InMemoryHostResolver:
    """Names resolve to what a test says; an unknown name does not resolve."""

    def __init__(self, names: dict[str, Sequence[IPAddress]] | None = None) -> None:
        self.names: dict[str, list[IPAddress]] = {k: list(v) for k, v in (names or {}).items()}
        self.lookups: list[str] = []

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.lookups.append(host)
        if host not in self.names:
            raise HostNotResolved(f"{host} is unknown")
        return list(self.names[host])


class RecordingWebhookSender:
    """Records each request and answers what the test scripted (200 once the script is used up)."""

    def __init__(self) -> None:
        self.requests: list[WebhookRequest] = []
        self.script: list[WebhookExchange] = []
        self.during: list[object] = []  # called while "sending", to change the world meanwhile

    def answer(self, *statuses: int | None, latency_ms: int = 12) -> None:
        for status in statuses:
            error = "" if status is not None else "timed out"
            self.script.append(WebhookExchange(status=status, latency_ms=latency_ms, error=error))

    def send(self, request: WebhookRequest) -> WebhookExchange:
        self.requests.append(request)
        while self.during:
            action = self.during.pop(0)
            action()  # type: ignore[operator]
        return self.script.pop(0) if self.script else WebhookExchange(status=200, latency_ms=12)

    def by_webhook_id(self) -> dict[str, list[WebhookRequest]]:
        seen: dict[str, list[WebhookRequest]] = defaultdict(list)
        for request in self.requests:
            seen[request.headers["webhook-id"]].append(request)
        return dict(seen)


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.errors: list[JobError] = []

    def send(self, message: EmailMessage) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)


class FixedLinks:
    """Some of the API's links under a base URL, written out as the URL conf spells them."""

    def __init__(self, base_url: str = "https://reportflow.test") -> None:
        self._base = base_url.rstrip("/")

    def job(self, job: JobView) -> dict[str, str]:
        url = f"{self._base}/api/v1/jobs/{job.id}/"
        links = {"self": url, "events": f"{url}events/", "cancel": f"{url}cancel/", "retry": f"{url}retry/"}
        if job.report_id is not None:
            report = f"{self._base}/api/v1/reports/{job.report_id}/"
            links["report"] = report
            if job.status == "succeeded" and job.parent_id is None:
                links["result"] = f"{report}result/"
        return links
