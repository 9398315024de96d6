"""Acting on a job: cancel it, replay it; and the dead-letter queue."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import next_page_url
from adapters.api.representations import JobOutput, job_representation
from application.jobs.commands import JobCommand
from application.jobs.list_dead_letters import ListDeadLetters
from config.container import container


def _command(request: Request, job_id: UUID) -> JobCommand:
    return JobCommand(job_id=job_id, owner_id=owner_id(request), is_staff=bool(request.user.is_staff))


class JobCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={202: JobOutput, 409: OpenApiResponse(description="the job has already ended")},
    )
    def post(self, request: Request, job_id: UUID) -> Response:
        job = container.cancel_job()(_command(request, job_id))
        return Response(job_representation(job, request), status=status.HTTP_202_ACCEPTED)


class JobRetryApi(APIView):
    @extend_schema(
        request=None,
        responses={202: JobOutput, 409: OpenApiResponse(description="the job succeeded or was cancelled")},
    )
    def post(self, request: Request, job_id: UUID) -> Response:
        job = container.replay_job()(_command(request, job_id))
        return Response(job_representation(job, request), status=status.HTTP_202_ACCEPTED)


class DeadLetterListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        cursor = serializers.CharField(required=False, max_length=500)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={
            200: inline_serializer("DeadLetterPage", {"results": JobOutput(many=True), "next": serializers.URLField()})
        },
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_dead_letters()(
            ListDeadLetters(owner_id=owner_id(request), is_staff=bool(request.user.is_staff), **filters.validated_data)
        )
        results = []
        for job in page.items:
            body = job_representation(job, request)
            body["links"]["replay"] = reverse("api:dead-letter-replay", kwargs={"job_id": job.id}, request=request)
            results.append(body)
        return Response({"results": results, "next": next_page_url(request, "api:dead-letter-list", page.next_cursor)})
