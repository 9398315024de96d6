"""Webhook endpoints and their deliveries; a delivery is sent again through the use case."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from adapters.admin.jobs import admin_link, search_by_id
from adapters.admin.permissions import HistoryAdmin, operator_id
from adapters.orm.models import WebhookDeliveryRecord, WebhookEndpointRecord
from application.errors import ApplicationError
from application.notifications.send_again import Redeliver
from config.container import container
from domain.errors import DomainError
from domain.notifications.events import EventType

REDELIVER_LIMIT = 200  # deliveries one action sends again


class EventTypeFilter(admin.SimpleListFilter):
    """Choices from the domain, not a DISTINCT over the whole delivery log."""

    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(event.value, event.value) for event in EventType]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(WebhookEndpointRecord)
class WebhookEndpointAdmin(HistoryAdmin):
    """Owners manage their endpoints through the API; the secrets are never shown."""

    list_display = ("id", "url", "owner", "enabled", "consecutive_failures", "disabled_reason", "created_at")
    list_filter = ("enabled",)
    list_select_related = ("owner",)
    search_fields = ("id",)
    search_help_text = "An endpoint id (exact)."
    ordering = ("-created_at", "-id")
    fields = (
        ("id", "owner"),
        "url",
        "events",
        ("enabled", "consecutive_failures"),
        ("disabled_reason", "disabled_at"),
        ("created_at", "updated_at"),
        "deliveries",
    )
    readonly_fields = (
        *("id", "owner", "url", "events", "enabled", "consecutive_failures", "disabled_reason"),
        *("disabled_at", "created_at", "updated_at", "deliveries"),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return search_by_id(queryset, search_term), False

    @admin.display(description="deliveries")
    def deliveries(self, obj: WebhookEndpointRecord) -> str:
        url = reverse("admin:reportflow_webhookdeliveryrecord_changelist")
        return format_html('<a href="{}?q={}">its delivery log</a>', url, obj.pk)


@admin.register(WebhookDeliveryRecord)
class WebhookDeliveryAdmin(HistoryAdmin):
    list_display = (
        "id",
        "endpoint_url",
        "event_type",
        "job_status",
        "last_attempt",
        "response_status",
        "latency_ms",
        "attempted_at",
        "created_at",
    )
    list_filter = (EventTypeFilter, "job__status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("endpoint", "job")
    search_fields = ("id",)
    search_help_text = "A delivery, endpoint or job id (exact)."
    ordering = ("-created_at", "-id")
    actions = ("redeliver",)
    fields = (
        ("id", "event_type"),
        ("endpoint_link", "job_link"),
        ("event", "created_at"),
        ("last_attempt", "response_status", "latency_ms", "attempted_at"),
        "note",
    )
    readonly_fields = (
        *("id", "event_type", "endpoint_link", "job_link", "event", "created_at", "last_attempt"),
        *("response_status", "latency_ms", "attempted_at", "note"),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return search_by_id(queryset, search_term, "endpoint_id", "job_id"), False

    @admin.display(description="endpoint", ordering="endpoint__url")
    def endpoint_url(self, obj: WebhookDeliveryRecord) -> str:
        return obj.endpoint.url

    @admin.display(description="status", ordering="job__status")
    def job_status(self, obj: WebhookDeliveryRecord) -> str:
        return obj.job.status

    @admin.display(description="endpoint")
    def endpoint_link(self, obj: WebhookDeliveryRecord) -> str:
        return admin_link(obj.endpoint, obj.endpoint.url)

    @admin.display(description="job")
    def job_link(self, obj: WebhookDeliveryRecord) -> str:
        return admin_link(obj.job, f"{obj.job_id} ({obj.job.status})")

    @admin.action(description="Send selected deliveries again (new delivery jobs)")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDeliveryRecord]) -> None:
        sent, refused = 0, []
        for delivery_id, endpoint_id in queryset.values_list("id", "endpoint_id")[:REDELIVER_LIMIT]:
            command = Redeliver(
                owner_id=operator_id(request), is_staff=True, endpoint_id=endpoint_id, delivery_id=delivery_id
            )
            try:
                container.redeliver_webhook()(command)
                sent += 1
            except (ApplicationError, DomainError) as exc:
                refused.append(f"{delivery_id}: {exc}")
        if sent:
            messages.success(request, f"Sent {sent} delivery(ies) again.")
        for reason in refused[:20]:
            messages.warning(request, f"Not sent again: {reason}")
