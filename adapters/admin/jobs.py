"""Jobs: a filtered list, and each job's page with its audit trail, children and report."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from adapters.admin import operations
from adapters.admin.permissions import HistoryAdmin, HistoryInline
from adapters.orm.models import JobEventRecord, JobRecord, ReportRecord
from config.container import container
from domain.job_status import JobStatus


def admin_link(record: Any, text: object = None) -> str:
    url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else record.pk)


class _RegistryFilter(admin.SimpleListFilter):
    """Choices from the kind registry, not a DISTINCT over the whole job table."""

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{str(self.parameter_name): value}) if value else queryset


class KindFilter(_RegistryFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(kind.name, kind.name) for kind in container.job_kinds()]


class QueueFilter(_RegistryFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        kinds = container.job_kinds()
        queues = {queue for kind in kinds for queue in (kind.queue, kind.priority_queue, kind.bulk_queue) if queue}
        return [(queue, queue) for queue in sorted(queues)]


def search_by_id(queryset: QuerySet[Any], term: str, *fields: str) -> QuerySet[Any]:
    """Rows whose id (or one of `fields`) is exactly the UUID `term`; none for anything else."""
    term = term.strip()
    if not term:
        return queryset
    try:
        value = uuid.UUID(term)
    except ValueError:
        return queryset.none()
    match = Q(pk=value)
    for name in fields:
        match |= Q(**{name: value})
    return queryset.filter(match)


class EventInline(HistoryInline):
    model = JobEventRecord
    verbose_name = "event"
    verbose_name_plural = "audit trail"
    fields = ("seq", "at", "from_status", "to_status", "attempt", "actor", "message", "data")
    readonly_fields = fields
    ordering = ("seq",)


class ChildInline(HistoryInline):
    model = JobRecord
    fk_name = "parent"
    verbose_name = "child job"
    verbose_name_plural = "children (fan-out chunks and merge)"
    fields = ("child", "kind", "status", "attempts", "finished_at", "error")
    readonly_fields = fields
    ordering = ("created_at", "id")

    @admin.display(description="job")
    def child(self, obj: JobRecord) -> str:
        return admin_link(obj)


@admin.register(JobRecord)
class JobAdmin(HistoryAdmin):
    list_display = ("id", "kind", "status", "owner", "queue", "attempts", "created_at", "finished_at")
    list_filter = (
        "status",
        KindFilter,
        QueueFilter,
        "owner",
        ("created_at", admin.DateFieldListFilter),
        ("finished_at", admin.DateFieldListFilter),
    )
    list_select_related = ("owner",)
    search_fields = ("id",)
    search_help_text = "A job id (exact)."
    ordering = ("-created_at", "-id")
    list_per_page = 50
    actions = ("replay_selected", "cancel_selected")
    inlines = (EventInline, ChildInline)
    fields = (
        ("id", "kind", "status"),
        ("owner", "queue", "priority"),
        ("attempts", "max_attempts", "progress"),
        ("parent_link", "report_link", "children_done", "children_total"),
        ("created_at", "started_at", "finished_at", "updated_at"),
        ("next_attempt_at", "dispatched_at", "lease_expires_at", "worker"),
        ("cancel_requested", "redeliveries"),
        "error",
        "error_detail",
        "payload",
    )
    readonly_fields = tuple(name for row in fields for name in ((row,) if isinstance(row, str) else row))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return search_by_id(queryset, search_term), False

    @admin.display(description="parent")
    def parent_link(self, obj: JobRecord) -> str:
        return admin_link(obj.parent) if obj.parent_id else "-"

    @admin.display(description="report")
    def report_link(self, obj: JobRecord) -> str:
        report_id = obj.payload.get("report_id") if isinstance(obj.payload, dict) else None
        report = ReportRecord.objects.filter(pk=report_id).first() if report_id else None
        return admin_link(report, report.name) if report else "-"

    @admin.action(description="Replay selected jobs (review first)")
    def replay_selected(self, request: HttpRequest, queryset: QuerySet[JobRecord]) -> HttpResponse | None:
        """A dry run first: what would be replayed, and what would not; replays on confirmation."""
        jobs = list(queryset.select_related("owner").order_by("-created_at")[:REVIEW_LIMIT])
        if request.POST.get("confirm") != "yes":
            return replay_review(request, jobs, action="replay_selected", title="Replay jobs")
        replayable = [job.id for job in jobs if job.status in REPLAYABLE]
        operations.report(request, operations.replay_jobs(request, replayable), "Replayed")
        return None

    @admin.action(description="Cancel selected jobs")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[JobRecord]) -> None:
        ids = list(queryset.values_list("id", flat=True)[:REVIEW_LIMIT])
        operations.report(request, operations.cancel_jobs(request, ids), "Cancelled")


REVIEW_LIMIT = 500  # jobs one action acts on
REPLAYABLE = (JobStatus.FAILED.value, JobStatus.DEAD.value)


def replay_review(
    request: HttpRequest, jobs: list[JobRecord], *, action: str = "", title: str, cancel_url: str = ""
) -> TemplateResponse:
    """The dry run of a replay: each job, and whether a replay would put it back in the queue."""
    replayable = [job for job in jobs if job.status in REPLAYABLE]
    context = {
        **admin.site.each_context(request),
        "title": title,
        "jobs": jobs,
        "replayable": replayable,
        "skipped": [job for job in jobs if job not in replayable],
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "cancel_url": cancel_url or reverse("admin:reportflow_jobrecord_changelist"),
        "opts": JobRecord._meta,
    }
    return TemplateResponse(request, "admin/console/replay_review.html", context)
