"""The rest of the record, read-only: reports, the outbox, messages that could never run."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.admin.jobs import admin_link, search_by_id
from adapters.admin.permissions import HistoryAdmin
from adapters.orm.models import DeadMessageRecord, OutboxRecord, ReportRecord


@admin.register(ReportRecord)
class ReportAdmin(HistoryAdmin):
    list_display = ("id", "name", "owner", "filename", "size_bytes", "created_at", "completed_at")
    list_select_related = ("owner",)
    ordering = ("-created_at", "-id")
    search_fields = ("id",)
    search_help_text = "A report id (exact)."
    fields = (
        ("id", "name"),
        ("owner", "job_link"),
        ("filename", "content_type", "size_bytes"),
        ("created_at", "completed_at"),
        "summary",
        "declared_schema",
        "documents",
    )
    readonly_fields = (
        *("id", "name", "owner", "job_link", "filename", "content_type", "size_bytes", "created_at"),
        *("completed_at", "summary", "declared_schema", "documents"),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return search_by_id(queryset, search_term), False

    @admin.display(description="job")
    def job_link(self, obj: ReportRecord) -> str:
        return admin_link(obj.job, f"{obj.job_id} ({obj.job.status})")


@admin.register(OutboxRecord)
class OutboxAdmin(HistoryAdmin):
    list_display = ("id", "kind", "job_id", "attempt", "queue", "available_at", "published_at", "publish_failures")
    list_filter = (("published_at", admin.EmptyFieldListFilter),)
    ordering = ("-id",)
    readonly_fields = (
        *("job_id", "kind", "attempt", "queue", "available_at", "created_at", "published_at"),
        *("publish_failures", "last_error"),
    )
    fields = readonly_fields


@admin.register(DeadMessageRecord)
class DeadMessageAdmin(HistoryAdmin):
    list_display = ("id", "task", "reason", "received_at")
    ordering = ("-received_at", "-id")
    fields = ("task", "reason", "received_at", "payload")
    readonly_fields = fields
