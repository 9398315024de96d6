"""Job endpoints: list (cursor-paginated), detail, audit trail."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import PageFilter
from adapters.api.representations import JOB_STATUSES, JobEventListOutput, JobOutput, JobPageOutput
from adapters.api.schema import problem_responses
from application.jobs.get_job import GetJob
from application.jobs.list_jobs import ListJobs
from config.container import container


def _is_staff(request: Request) -> bool:
    return bool(request.user.is_staff)


class JobListApi(APIView):
    class FilterSerializer(PageFilter):
        status = serializers.ChoiceField(choices=JOB_STATUSES, required=False)
        kind = serializers.CharField(required=False, max_length=100)
        parent_id = serializers.UUIDField(required=False, help_text="only the children of this job")
        schedule_id = serializers.UUIDField(required=False, help_text="only the jobs of this schedule's runs")

    @extend_schema(
        operation_id="jobs_list",
        parameters=[FilterSerializer],
        responses={200: JobPageOutput, **problem_responses("validation-error", "invalid-cursor")},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_jobs()(
            ListJobs(owner_id=owner_id(request), is_staff=_is_staff(request), **filters.validated_data)
        )
        return Response(JobPageOutput(page, context={"request": request}).data)


class JobDetailApi(APIView):
    @extend_schema(operation_id="jobs_retrieve", responses={200: JobOutput, **problem_responses("not-found")})
    def get(self, request: Request, job_id: UUID) -> Response:
        job = container.get_job()(GetJob(owner_id=owner_id(request), job_id=job_id, is_staff=_is_staff(request)))
        return Response(JobOutput(job, context={"request": request}).data)


class JobEventsApi(APIView):
    @extend_schema(operation_id="jobs_events", responses={200: JobEventListOutput, **problem_responses("not-found")})
    def get(self, request: Request, job_id: UUID) -> Response:
        events = container.get_job_events()(
            GetJob(owner_id=owner_id(request), job_id=job_id, is_staff=_is_staff(request))
        )
        return Response(JobEventListOutput({"results": events}, context={"request": request}).data)
