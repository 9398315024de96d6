"""Notification repositories over the Django ORM, with their explicit record mapping."""

from __future__ import annotations

import functools
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from adapters.orm.mappers import record_to_job
from adapters.orm.models import (
    EmailPreferencesRecord,
    NotificationEventRecord,
    WebhookDeliveryRecord,
    WebhookEndpointRecord,
)
from adapters.orm.prepared import prepared
from adapters.orm.statements import Table
from adapters.orm.targets_cache import targets_cache
from domain.job import Job
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import SigningSecret, WebhookEndpoint
from domain.notifications.events import EventType, NotificationEvent
from domain.notifications.preferences import EmailPreferences
from domain.ports import JobCursor, NotificationTargets

ENDPOINTS = Table(WebhookEndpointRecord)


@functools.cache
def _email_preferences_sql() -> str:
    """Parameter: the owner's id. The account's address, then the saved preferences' columns
    (NULL when none are saved)."""
    quote, user = connection.ops.quote_name, get_user_model()
    users, saved = quote(user._meta.db_table), quote(EmailPreferencesRecord._meta.db_table)
    user_id = f"{users}.{quote(str(user._meta.pk.column if user._meta.pk else 'id'))}"
    return (
        f"SELECT {users}.email AS account_email, {saved}.email AS saved_email, {saved}.on_success, {saved}.on_failure"
        f" FROM {users}"
        f" LEFT JOIN {saved} ON {saved}.owner_id = {user_id} WHERE {user_id} = %s"
    )


@functools.cache
def _targets_sql() -> str:
    """Parameters: the owner's id, twice. The e-mail preferences' four columns (as above), then
    the columns of one of the owner's webhook endpoints: a row per endpoint, oldest first, or
    one row with NULLs there when it has none (nothing at all for an unknown owner)."""
    endpoints = ENDPOINTS.name
    return (
        f"SELECT preferences.*, {ENDPOINTS.columns} FROM ({_email_preferences_sql()}) AS preferences"
        f" LEFT JOIN {endpoints} ON {endpoints}.{ENDPOINTS.column('owner_id')} = %s"
        f" ORDER BY {endpoints}.{ENDPOINTS.column('created_at')}, {endpoints}.{ENDPOINTS.column('id')}"
    )


_PREFERENCE_COLUMNS = 4  # what `_email_preferences_sql` selects


def _preferences(owner_id: int, row: tuple[object, ...] | None) -> EmailPreferences:
    """The preferences from the four columns of `_email_preferences_sql`'s row."""
    account_email, saved_email, on_success, on_failure = row or ("", None, None, None)
    if on_success is None:  # nothing saved: the defaults, with the account's address
        return EmailPreferences(owner_id=owner_id, email=str(account_email or ""))
    return EmailPreferences(
        owner_id=owner_id, email=str(saved_email or ""), on_success=bool(on_success), on_failure=bool(on_failure)
    )


def record_to_endpoint(record: WebhookEndpointRecord) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=record.id,
        owner_id=record.owner_id,
        url=record.url,
        events=frozenset(EventType(name) for name in record.events),
        enabled=record.enabled,
        secret=SigningSecret(value=record.secret),
        previous_secret=SigningSecret(value=record.previous_secret) if record.previous_secret else None,
        previous_secret_expires_at=record.previous_secret_expires_at,
        consecutive_failures=record.consecutive_failures,
        disabled_reason=record.disabled_reason,
        disabled_at=record.disabled_at,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def endpoint_fields(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "owner_id": endpoint.owner_id,
        "url": endpoint.url,
        "events": sorted(endpoint.events),
        "enabled": endpoint.enabled,
        "secret": endpoint.secret.value,
        "previous_secret": endpoint.previous_secret.value if endpoint.previous_secret else "",
        "previous_secret_expires_at": endpoint.previous_secret_expires_at,
        "consecutive_failures": endpoint.consecutive_failures,
        "disabled_reason": endpoint.disabled_reason[:255],
        "disabled_at": endpoint.disabled_at,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def record_to_delivery(record: WebhookDeliveryRecord) -> WebhookDelivery:
    return WebhookDelivery(
        id=record.id,
        endpoint_id=record.endpoint_id,
        event_id=record.event_id,
        event_type=EventType(record.event_type),
        job_id=record.job_id,
        created_at=record.created_at,
        last_attempt=record.last_attempt,
        response_status=record.response_status,
        latency_ms=record.latency_ms,
        attempted_at=record.attempted_at,
        note=record.note,
    )


def delivery_fields(delivery: WebhookDelivery) -> dict[str, object]:
    return {
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type.value,
        "job_id": delivery.job_id,
        "created_at": delivery.created_at,
        "last_attempt": delivery.last_attempt,
        "response_status": delivery.response_status,
        "latency_ms": delivery.latency_ms,
        "attempted_at": delivery.attempted_at,
        "note": delivery.note[:255],
    }


class DjangoWebhookEndpointRepository:
    def add(self, endpoint: WebhookEndpoint) -> None:
        WebhookEndpointRecord.objects.create(id=endpoint.id, **endpoint_fields(endpoint))

    def save(self, endpoint: WebhookEndpoint) -> None:
        WebhookEndpointRecord.objects.filter(id=endpoint.id).update(**endpoint_fields(endpoint))

    def delete(self, endpoint_id: UUID) -> None:
        WebhookEndpointRecord.objects.filter(id=endpoint_id).delete()

    def get(self, endpoint_id: UUID, *, for_update: bool = False) -> WebhookEndpoint | None:
        records = WebhookEndpointRecord.objects.select_for_update() if for_update else WebhookEndpointRecord.objects
        record = records.filter(id=endpoint_id).first()
        return record_to_endpoint(record) if record else None

    def get_for_owner(self, endpoint_id: UUID, owner_id: int, *, for_update: bool = False) -> WebhookEndpoint | None:
        records = WebhookEndpointRecord.objects.select_for_update() if for_update else WebhookEndpointRecord.objects
        record = records.filter(id=endpoint_id, owner_id=owner_id).first()
        return record_to_endpoint(record) if record else None

    def list_for_owner(self, owner_id: int) -> list[WebhookEndpoint]:
        records = ENDPOINTS.select("owner_id = %s", [owner_id], tail="ORDER BY created_at, id")
        return [record_to_endpoint(record) for record in records]


class DjangoNotificationEventRepository:
    def add(self, event: NotificationEvent) -> None:
        NotificationEventRecord.objects.create(
            id=event.id,
            owner_id=event.owner_id,
            type=event.type.value,
            timestamp=event.timestamp,
            body=event.body,
            job_id=event.job_id,
        )

    def get(self, event_id: str) -> NotificationEvent | None:
        record = NotificationEventRecord.objects.filter(id=event_id).first()
        if record is None:
            return None
        return NotificationEvent(
            id=record.id,
            owner_id=record.owner_id,
            type=EventType(record.type),
            timestamp=record.timestamp,
            body=record.body,
            job_id=record.job_id,
        )


class DjangoWebhookDeliveryRepository:
    def add(self, delivery: WebhookDelivery) -> None:
        WebhookDeliveryRecord.objects.create(id=delivery.id, **delivery_fields(delivery))

    def save(self, delivery: WebhookDelivery) -> None:
        WebhookDeliveryRecord.objects.filter(id=delivery.id).update(**delivery_fields(delivery))

    def get(self, delivery_id: UUID) -> WebhookDelivery | None:
        record = WebhookDeliveryRecord.objects.filter(id=delivery_id).first()
        return record_to_delivery(record) if record else None

    def list_for_endpoint(
        self, endpoint_id: UUID, *, after: JobCursor | None = None, limit: int = 50
    ) -> list[tuple[WebhookDelivery, Job]]:
        records = WebhookDeliveryRecord.objects.filter(endpoint_id=endpoint_id).select_related("job")
        if after is not None:
            records = records.filter(
                Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.job_id)
            )
        return [
            (record_to_delivery(record), record_to_job(record.job))
            for record in records.order_by("-created_at", "-id")[:limit]
        ]


class DjangoEmailPreferencesRepository:
    def get(self, owner_id: int) -> EmailPreferences:
        # the account's address and the preferences if any, in one statement
        with connection.cursor() as cursor:
            cursor.execute(prepared(_email_preferences_sql()), [owner_id])
            return _preferences(owner_id, cursor.fetchone())

    def save(self, preferences: EmailPreferences) -> None:
        EmailPreferencesRecord.objects.update_or_create(
            owner_id=preferences.owner_id,
            defaults={
                "email": preferences.email,
                "on_success": preferences.on_success,
                "on_failure": preferences.on_failure,
            },
        )


class DjangoNotificationTargets:
    def of_owner(self, owner_id: int) -> NotificationTargets:
        # asked at every job's end: kept until PostgreSQL says they changed (targets_cache.py)
        return targets_cache().of_owner(owner_id, lambda: self.read(owner_id))

    def read(self, owner_id: int) -> NotificationTargets:
        """The endpoints and the preferences, read in one prebuilt statement."""
        with connection.cursor() as cursor:
            cursor.execute(prepared(_targets_sql()), [owner_id, owner_id])
            rows = cursor.fetchall()
        split = _PREFERENCE_COLUMNS  # the endpoint's columns follow; NULL when it has none
        endpoints = [record_to_endpoint(ENDPOINTS.instance(row[split:])) for row in rows if row[split] is not None]
        return NotificationTargets(endpoints=endpoints, email=_preferences(owner_id, rows[0][:split] if rows else None))
