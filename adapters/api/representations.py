"""Output serializers of jobs, shared by several endpoints: each documents a response and
renders it. Every job links to what a client needs next (see links.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField

from adapters.api.links import Link
from adapters.api.pagination import NextPage
from application.reports.read_models import has_result
from domain.job_status import JobStatus


class DisclosedText(serializers.CharField):
    """Text a read model may withhold from this client (None): then the field is absent."""

    def __init__(self, **options: Any) -> None:
        super().__init__(required=False, allow_blank=True, **options)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        if value is None:
            raise SkipField()
        return value


JOB_STATUSES = [s.value for s in JobStatus]


def _of_report(job: Any) -> bool:
    return job.report_id is not None


@extend_schema_serializer(component_name="JobLinks")
class JobLinksOutput(serializers.Serializer):
    """Where to go next. A report's chunk and merge jobs link to their report; the result's
    documents are linked from the report's own job once it succeeded (and from the report)."""

    self = Link("api:job-detail", path={"job_id": "id"})
    events = Link("api:job-events", path={"job_id": "id"}, help_text="the audit trail")
    cancel = Link("api:job-cancel", path={"job_id": "id"}, help_text="POST: cancel")
    retry = Link("api:job-retry", path={"job_id": "id"}, help_text="POST: replay a failed or dead job")
    # DRF keeps declared fields apart from the attributes, so `parent` does not shadow Field.parent
    parent = Link(  # type: ignore[assignment]
        "api:job-detail", path={"job_id": "parent_id"}, when=lambda job: job.parent_id is not None
    )
    children = Link(
        "api:job-list",
        query={"parent_id": "id"},
        when=lambda job: job.children_total > 0,
        help_text="the chunk and merge jobs of a report that fanned out",
    )
    report = Link("api:report-detail", path={"report_id": "report_id"}, when=_of_report)
    schedule = Link(
        "api:schedule-detail",
        path={"schedule_id": "schedule_id"},
        when=lambda job: job.schedule_id is not None,
        help_text="the schedule whose run this job is",
    )
    result = Link(
        "api:report-result",
        path={"report_id": "report_id"},
        when=has_result,
        help_text="the result JSON: on the report's own job, once it succeeded",
    )
    html = Link("api:report-html", path={"report_id": "report_id"}, when=has_result, help_text="as result")
    columns_csv = Link("api:report-columns", path={"report_id": "report_id"}, when=has_result, help_text="as result")
    violations_csv = Link(
        "api:report-violations", path={"report_id": "report_id"}, when=has_result, help_text="as result"
    )


@extend_schema_serializer(component_name="Job")
class JobOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=JOB_STATUSES)
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    progress = serializers.FloatField()
    queue = serializers.CharField()
    error = serializers.CharField(
        allow_blank=True, help_text="the last failure's message (worker hosts and server paths hidden but for staff)"
    )
    error_detail = DisclosedText(help_text="staff only: the traceback of the last failure")
    cancel_requested = serializers.BooleanField()
    parent_id = serializers.UUIDField(allow_null=True)
    report_id = serializers.UUIDField(allow_null=True, help_text="the report this job works for, if any")
    schedule_id = serializers.UUIDField(allow_null=True, help_text="the schedule whose run this job is, if any")
    scheduled_for = serializers.DateTimeField(allow_null=True, help_text="the time that scheduled run stands for")
    children_total = serializers.IntegerField()
    children_done = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True)
    links = JobLinksOutput(source="*")


@extend_schema_serializer(component_name="JobPage")
class JobPageOutput(serializers.Serializer):
    results = JobOutput(many=True, source="items")
    next = NextPage("api:job-list")


@extend_schema_serializer(component_name="DeadLetterLinks")
class DeadLetterLinksOutput(JobLinksOutput):
    replay = Link("api:dead-letter-replay", path={"job_id": "id"})


@extend_schema_serializer(component_name="DeadLetter")
class DeadLetterOutput(JobOutput):
    links = DeadLetterLinksOutput(source="*")


@extend_schema_serializer(component_name="DeadLetterPage")
class DeadLetterPageOutput(serializers.Serializer):
    results = DeadLetterOutput(many=True, source="items")
    next = NextPage("api:dead-letter-list")


@extend_schema_serializer(component_name="JobEvent")
class JobEventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    from_status = serializers.ChoiceField(choices=JOB_STATUSES, allow_null=True)
    to_status = serializers.ChoiceField(choices=JOB_STATUSES)
    attempt = serializers.IntegerField()
    actor = serializers.CharField(help_text='"user:<id>", "system..." or "worker" (the worker\'s host for staff)')
    at = serializers.DateTimeField()
    message = serializers.CharField(allow_blank=True)
    data = serializers.DictField()  # type: ignore[assignment]


@extend_schema_serializer(component_name="JobEventList")
class JobEventListOutput(serializers.Serializer):
    results = JobEventOutput(many=True)
