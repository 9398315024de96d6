"""Schedule endpoints: an owner's scheduled reports (create, read, change, delete) and the runs
each one started. Every run is an ordinary report job."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import NextPage, PageFilter
from adapters.api.representations import JobOutput
from adapters.api.schema import location_header, problem_responses
from adapters.links import Link
from application.schedules.manage import ChangeSchedule, CreateSchedule, DeleteSchedule
from application.schedules.queries import GetSchedule, ListScheduleRuns, ListSchedules
from config.container import container

CRON_HELP = (
    "five fields: minute hour day-of-month month day-of-week, e.g. `30 9 * * 1-5` "
    "(lists, ranges, steps, names; @hourly, @daily, @weekly, @monthly, @yearly)"
)
TIMEZONE_HELP = "an IANA timezone such as `Europe/Paris`: the cron's times are its wall-clock times"


class LocalDateTime(serializers.DateTimeField):
    """A date-time rendered with its own UTC offset, not converted to the server's timezone."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value


@extend_schema_serializer(component_name="ScheduleLinks")
class ScheduleLinksOutput(serializers.Serializer):
    self = Link("api:schedule-detail", path={"schedule_id": "id"})
    report = Link("api:report-detail", path={"report_id": "report_id"}, help_text="the source report")
    runs = Link("api:schedule-runs", path={"schedule_id": "id"}, help_text="the report jobs it started")
    last_run = Link(
        "api:job-detail", path={"job_id": "last_job_id"}, when=lambda schedule: schedule.last_job_id is not None
    )


@extend_schema_serializer(component_name="Schedule")
class ScheduleOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    report_id = serializers.UUIDField(help_text="the source report: every run re-runs its stored upload")
    cron = serializers.CharField(help_text=CRON_HELP)
    timezone = serializers.CharField(help_text=TIMEZONE_HELP)
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(
        allow_blank=True, help_text="why the service disabled it (its source upload is gone); empty otherwise"
    )
    next_run_at = serializers.DateTimeField(allow_null=True, help_text="null while disabled")
    next_run_local = LocalDateTime(allow_null=True, help_text="the same instant in the schedule's timezone")
    last_run_at = serializers.DateTimeField(allow_null=True, help_text="the time the latest run was scheduled for")
    last_job_id = serializers.UUIDField(allow_null=True)
    runs = serializers.IntegerField()
    skipped_ticks = serializers.IntegerField(
        help_text="times missed while no scheduler ran, each caught up by one run instead of its own"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = ScheduleLinksOutput(source="*")


@extend_schema_serializer(component_name="SchedulePage")
class SchedulePageOutput(serializers.Serializer):
    results = ScheduleOutput(many=True, source="items")
    next = NextPage("api:schedule-list")


@extend_schema_serializer(component_name="ScheduleRunPage")
class ScheduleRunPageOutput(serializers.Serializer):
    results = JobOutput(many=True, source="items", help_text="each run's report job, newest first")
    next = NextPage("api:schedule-runs")


def _render(request: Request, schedule: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(ScheduleOutput(schedule, context={"request": request}).data, status=code)


class ScheduleListApi(APIView):
    @extend_schema_serializer(component_name="ScheduleCreate")
    class InputSerializer(serializers.Serializer):
        report_id = serializers.UUIDField(help_text="one of your reports: its stored upload and schema are re-run")
        cron = serializers.CharField(max_length=200, help_text=CRON_HELP)
        timezone = serializers.CharField(max_length=64, default="UTC", help_text=TIMEZONE_HELP)
        name = serializers.CharField(
            required=False, allow_blank=True, max_length=255, help_text="the source report's name if empty"
        )
        enabled = serializers.BooleanField(default=True)

    @extend_schema(
        operation_id="schedules_list",
        parameters=[PageFilter],
        responses={200: SchedulePageOutput, **problem_responses("validation-error", "invalid-cursor")},
    )
    def get(self, request: Request) -> Response:
        filters = PageFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_schedules()(ListSchedules(owner_id=owner_id(request), **filters.validated_data))
        return Response(SchedulePageOutput(page, context={"request": request}).data)

    @extend_schema(
        operation_id="schedules_create",
        request=InputSerializer,
        parameters=[location_header(201, description="the schedule")],
        responses={
            201: ScheduleOutput,
            **problem_responses("validation-error", "malformed-request", "not-found", "unsupported-media-type"),
        },
        description="Re-run one of your reports on a cron expression in a timezone. 400 for an invalid cron "
        "or timezone (`errors.cron`, `errors.timezone`); 404 for a report that is not yours.",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = container.create_schedule()(CreateSchedule(owner_id=owner_id(request), **data.validated_data))
        response = _render(request, schedule, status.HTTP_201_CREATED)
        response["Location"] = response.data["links"]["self"]
        return response


class ScheduleDetailApi(APIView):
    @extend_schema_serializer(component_name="ScheduleChange")
    class InputSerializer(serializers.Serializer):
        cron = serializers.CharField(required=False, max_length=200, help_text=CRON_HELP)
        timezone = serializers.CharField(required=False, max_length=64, help_text=TIMEZONE_HELP)
        name = serializers.CharField(required=False, max_length=255)
        enabled = serializers.BooleanField(
            required=False, help_text="false pauses it; true resumes it from now (paused times are not caught up)"
        )

    @extend_schema(operation_id="schedules_retrieve", responses={200: ScheduleOutput, **problem_responses("not-found")})
    def get(self, request: Request, schedule_id: UUID) -> Response:
        schedule = container.get_schedule()(GetSchedule(owner_id=owner_id(request), schedule_id=schedule_id))
        return _render(request, schedule)

    @extend_schema(
        operation_id="schedules_change",
        request=InputSerializer,
        responses={
            200: ScheduleOutput,
            **problem_responses("validation-error", "malformed-request", "not-found", "unsupported-media-type"),
        },
    )
    def patch(self, request: Request, schedule_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = container.change_schedule()(
            ChangeSchedule(owner_id=owner_id(request), schedule_id=schedule_id, **data.validated_data)
        )
        return _render(request, schedule)

    @extend_schema(
        operation_id="schedules_delete",
        responses={204: None, **problem_responses("not-found")},
        description="Its runs' reports and jobs stay.",
    )
    def delete(self, request: Request, schedule_id: UUID) -> Response:
        container.delete_schedule()(DeleteSchedule(owner_id=owner_id(request), schedule_id=schedule_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleRunsApi(APIView):
    @extend_schema(
        operation_id="schedules_runs",
        parameters=[PageFilter],
        responses={200: ScheduleRunPageOutput, **problem_responses("validation-error", "invalid-cursor", "not-found")},
    )
    def get(self, request: Request, schedule_id: UUID) -> Response:
        filters = PageFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_schedule_runs()(
            ListScheduleRuns(
                owner_id=owner_id(request),
                schedule_id=schedule_id,
                is_staff=bool(request.user.is_staff),
                **filters.validated_data,
            )
        )
        return Response(ScheduleRunPageOutput(page, context={"request": request}).data)
