"""Acting on a job: cancel it, replay it; and the dead-letter queue."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.api.pagination import PageFilter
from adapters.api.representations import DeadLetterPageOutput, JobOutput
from adapters.api.schema import problem_responses
from application.jobs.commands import JobCommand
from application.jobs.list_dead_letters import ListDeadLetters
from config.container import container


def _command(request: Request, job_id: UUID) -> JobCommand:
    return JobCommand(job_id=job_id, owner_id=owner_id(request), is_staff=bool(request.user.is_staff))


_ACTION_RESPONSES = {202: JobOutput, **problem_responses("not-found", "invalid-transition")}


class JobCancelApi(APIView):
    @extend_schema(
        operation_id="jobs_cancel",
        request=None,
        responses=_ACTION_RESPONSES,
        description="Cancels a waiting job at once; a running one stops at its next checkpoint. "
        "409 once the job has ended.",
    )
    def post(self, request: Request, job_id: UUID) -> Response:
        job = container.cancel_job()(_command(request, job_id))
        return Response(JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class JobRetryApi(APIView):
    @extend_schema(
        operation_id="jobs_retry",
        request=None,
        responses=_ACTION_RESPONSES,
        description="Puts a failed or dead job back in the queue with a fresh attempt budget. "
        "409 for a succeeded or cancelled job.",
    )
    def post(self, request: Request, job_id: UUID) -> Response:
        job = container.replay_job()(_command(request, job_id))
        return Response(JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class DeadLetterReplayApi(JobRetryApi):
    @extend_schema(
        operation_id="dead_letters_replay",
        request=None,
        responses=_ACTION_RESPONSES,
        description="Replays a dead letter (as the job's retry does); staff replay every user's.",
    )
    def post(self, request: Request, job_id: UUID) -> Response:
        return super().post(request, job_id)


class DeadLetterListApi(APIView):
    @extend_schema(
        operation_id="dead_letters_list",
        parameters=[PageFilter],
        responses={200: DeadLetterPageOutput, **problem_responses("validation-error", "invalid-cursor")},
    )
    def get(self, request: Request) -> Response:
        filters = PageFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = container.list_dead_letters()(
            ListDeadLetters(owner_id=owner_id(request), is_staff=bool(request.user.is_staff), **filters.validated_data)
        )
        return Response(DeadLetterPageOutput(page, context={"request": request}).data)
