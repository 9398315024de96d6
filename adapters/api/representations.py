"""Output shapes shared by several endpoints: read models plus the links a client follows."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from adapters.links import job_links
from application.jobs.read_models import JobEventView, JobView
from domain.job_status import JobStatus


class JobOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=[s.value for s in JobStatus])
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    progress = serializers.FloatField()
    queue = serializers.CharField()
    error = serializers.CharField(allow_blank=True)
    error_detail = serializers.CharField(allow_blank=True, help_text="traceback of the last failure")
    cancel_requested = serializers.BooleanField()
    parent_id = serializers.UUIDField(allow_null=True)
    children_total = serializers.IntegerField()
    children_done = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True)
    links = serializers.DictField(child=serializers.CharField())


class JobEventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    from_status = serializers.CharField(allow_null=True)
    to_status = serializers.CharField()
    attempt = serializers.IntegerField()
    actor = serializers.CharField()
    at = serializers.DateTimeField()
    message = serializers.CharField(allow_blank=True)
    data = serializers.DictField()  # type: ignore[assignment]


def job_representation(job: JobView, request: Request) -> dict[str, Any]:
    body = job.model_dump(mode="json")
    body["links"] = job_links(job, request.build_absolute_uri)
    return body


def event_representation(event: JobEventView) -> dict[str, Any]:
    return event.model_dump(mode="json")
