"""Job endpoints: list (cursor-paginated), detail, audit trail."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import next_page_url
from adapters.api.representations import JobEventOutput, JobOutput, event_representation, job_representation
from application.get_job import GetJob
from application.list_jobs import ListJobs
from config.container import container
from domain.job_status import JobStatus


class JobListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=[s.value for s in JobStatus], required=False)
        kind = serializers.CharField(required=False, max_length=100)
        parent_id = serializers.UUIDField(required=False, help_text="only the children of this job")
        cursor = serializers.CharField(required=False, max_length=500)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    @extend_schema(
        operation_id="v1_jobs_list",  # the detail view's GET would take "v1_jobs_retrieve" too
        parameters=[FilterSerializer],
        responses={
            200: inline_serializer("JobPage", {"results": JobOutput(many=True), "next": serializers.URLField()})
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_jobs()(ListJobs(owner_id=owner_id(request), **filters.validated_data))
        return Response(
            {
                "results": [job_representation(job, request) for job in page.items],
                "next": next_page_url(request, "api:job-list", page.next_cursor),
            }
        )


class JobDetailApi(APIView):
    @extend_schema(responses={200: JobOutput})
    def get(self, request: Request, job_id: UUID) -> Response:
        job = container.get_job()(GetJob(owner_id=owner_id(request), job_id=job_id))
        return Response(job_representation(job, request))


class JobEventsApi(APIView):
    @extend_schema(responses={200: inline_serializer("JobEvents", {"results": JobEventOutput(many=True)})})
    def get(self, request: Request, job_id: UUID) -> Response:
        events = container.get_job_events()(GetJob(owner_id=owner_id(request), job_id=job_id))
        return Response({"results": [event_representation(event) for event in events]})
