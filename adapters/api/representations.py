"""Output serializers of jobs, shared by several endpoints: each documents a response and
renders it. Every job links to what a client needs next (see links.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField

from adapters.api.pagination import NextPage
from adapters.links import JobLinksOutput, Link
from adapters.output_serializers import OutputSerializer
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


@extend_schema_serializer(component_name="Job")
class JobOutput(OutputSerializer):
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
