"""Schedules: staff pause, resume or retime one. The cron expression and the timezone are
checked by the domain, as in the API, and the change goes through the use case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from adapters.admin.permissions import OperatorViewMixin
from adapters.orm.models import ScheduleRecord
from application.schedules.manage import ChangeSchedule
from config.container import container
from domain.cron import CronExpression, timezone_named
from domain.errors import DomainError


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ScheduleRecord
        fields = ("name", "cron", "timezone", "enabled")

    def clean_cron(self) -> str:
        try:
            return CronExpression.parse(self.cleaned_data["cron"]).text
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_timezone(self) -> str:
        try:
            return timezone_named(self.cleaned_data["timezone"]).key
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(ScheduleRecord)
class ScheduleAdmin(OperatorViewMixin, admin.ModelAdmin):
    form = ScheduleForm
    list_display = ("id", "name", "owner", "cron", "timezone", "enabled", "next_run_at", "last_run_at", "runs")
    list_filter = ("enabled",)
    list_select_related = ("owner",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = (
        ("id", "owner", "report_id"),
        "name",
        ("cron", "timezone", "enabled"),
        "disabled_reason",
        ("next_run_at", "last_run_at", "last_job_id"),
        ("runs", "skipped_ticks", "created_at", "updated_at"),
    )
    readonly_fields = (
        *("id", "owner", "report_id", "disabled_reason", "next_run_at", "last_run_at", "last_job_id"),
        *("runs", "skipped_ticks", "created_at", "updated_at"),
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a schedule re-runs one of its owner's reports: its owner creates it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ScheduleRecord, form: Any, change: bool) -> None:
        """Through the use case, so enabling or retiming sets the next run as the API does."""
        changed = set(form.changed_data)
        container.change_schedule()(
            ChangeSchedule(
                owner_id=obj.owner_id,
                schedule_id=obj.pk,
                name=obj.name if "name" in changed else None,
                cron=obj.cron if "cron" in changed else None,
                timezone=obj.timezone if "timezone" in changed else None,
                enabled=obj.enabled if "enabled" in changed else None,
            )
        )
        obj.refresh_from_db()
