from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.job import Job
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import WebhookEndpoint
from domain.notifications.events import NotificationEvent
from domain.notifications.preferences import EmailPreferences
from domain.ports.repositories import JobCursor


class WebhookEndpointRepository(Protocol):
    def add(self, endpoint: WebhookEndpoint) -> None: ...

    def save(self, endpoint: WebhookEndpoint) -> None: ...

    def delete(self, endpoint_id: UUID) -> None:
        """Remove the endpoint and its delivery log; delivery jobs still waiting then fail."""

    def get(self, endpoint_id: UUID, *, for_update: bool = False) -> WebhookEndpoint | None: ...

    def get_for_owner(self, endpoint_id: UUID, owner_id: int, *, for_update: bool = False) -> WebhookEndpoint | None:
        """Another owner's endpoint is None, as a missing one."""

    def list_for_owner(self, owner_id: int) -> list[WebhookEndpoint]:
        """Oldest first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationTargets:
    """Where an owner's job-ended events may go: its webhook endpoints, oldest first, and its
    e-mail preferences."""

    endpoints: list[WebhookEndpoint]
    email: EmailPreferences


class NotificationTargetsReader(Protocol):
    def of_owner(self, owner_id: int) -> NotificationTargets:
        """What `WebhookEndpointRepository.list_for_owner` and `EmailPreferencesRepository.get`
        answer, read together (asked at every job's end: one round trip, not two)."""


class NotificationEventRepository(Protocol):
    def add(self, event: NotificationEvent) -> None: ...

    def get(self, event_id: str) -> NotificationEvent | None: ...


class WebhookDeliveryRepository(Protocol):
    def add(self, delivery: WebhookDelivery) -> None: ...

    def save(self, delivery: WebhookDelivery) -> None: ...

    def get(self, delivery_id: UUID) -> WebhookDelivery | None: ...

    def list_for_endpoint(
        self, endpoint_id: UUID, *, after: JobCursor | None = None, limit: int = 50
    ) -> list[tuple[WebhookDelivery, Job]]:
        """Newest first, each with its job, strictly after `after` (a created_at and a delivery id)."""


class EmailPreferencesRepository(Protocol):
    def get(self, owner_id: int) -> EmailPreferences:
        """The owner's preferences; nobody opted in by default (the address is the account's)."""

    def save(self, preferences: EmailPreferences) -> None: ...
