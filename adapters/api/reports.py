"""Report endpoints: submit an upload, read a report, read its result."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from adapters.api.idempotency_key import idempotency_key
from adapters.api.owner import owner_id
from adapters.api.representations import JobOutput, job_representation
from adapters.api.upload_limit import LimitedUploadHandler
from adapters.links import report_links
from application.reports.get_report import DocumentName, GetReport, GetReportDocument
from application.reports.submit import SubmitReport
from config.container import container


class ReportSubmitApi(APIView):
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)
        name = serializers.CharField(required=False, allow_blank=True, max_length=255)
        schema = serializers.JSONField(
            required=False, binary=True, help_text="a declared schema (JSON object) to check every row against"
        )

        def validate_schema(self, value: object) -> object:
            if not isinstance(value, dict):
                raise serializers.ValidationError("must be a JSON object")
            return value

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Same key + same request replays the first response; another request is 422; "
                "a duplicate while the first is in flight is 409. Keys are per user and live 24 h.",
            )
        ],
        responses={202: JobOutput},
    )
    def post(self, request: Request) -> Response:
        request._request.upload_handlers = [
            LimitedUploadHandler(request._request, limit_bytes=container.intake().max_upload_bytes)
        ]
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        name = data.validated_data.get("name", "")
        schema = data.validated_data.get("schema")
        submitted = container.submit_report()(
            SubmitReport(
                owner_id=owner_id(request),
                filename=upload.name or "upload",
                name=name,
                content_type=upload.content_type or "",
                size_bytes=upload.size,
                content=upload,
                declared_schema=schema,
                idempotency=idempotency_key(
                    request, parts=[name, upload.name or "", json.dumps(schema, sort_keys=True)], upload=upload
                ),
            )
        )
        body = job_representation(submitted.job, request)
        body["links"]["report"] = reverse(
            "api:report-detail", kwargs={"report_id": submitted.report_id}, request=request
        )
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


class ReportDetailApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        name = serializers.CharField()
        filename = serializers.CharField()
        size_bytes = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        completed_at = serializers.DateTimeField(allow_null=True)
        status = serializers.CharField()
        progress = serializers.FloatField()
        summary = serializers.DictField(allow_null=True)
        job = JobOutput()
        links = serializers.DictField(child=serializers.CharField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, report_id: UUID) -> Response:
        report = container.get_report()(GetReport(owner_id=owner_id(request), report_id=report_id))
        body = report.model_dump(mode="json")
        body["status"], body["progress"] = report.job.status, report.job.progress
        body["job"] = job_representation(report.job, request)
        body["links"] = {**report_links(report.id, request.build_absolute_uri), "job": body["job"]["links"]["self"]}
        return Response(body)


def _document(request: Request, report_id: UUID, name: DocumentName) -> Any:
    return container.get_report_document()(
        GetReportDocument(owner_id=owner_id(request), report_id=report_id, document=name)
    )


_NOT_DONE = OpenApiResponse(description="the job has not succeeded")


class ReportResultApi(APIView):
    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(description="the result, schema_version 2"),
            409: _NOT_DONE,
        }
    )
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        return FileResponse(_document(request, report_id, "result.json"), content_type="application/json")


class ReportHtmlApi(APIView):
    """The report as one self-contained HTML page: inline SVG charts, no scripts, no external assets."""

    @extend_schema(responses={(200, "text/html"): OpenApiResponse(description="the HTML report"), 409: _NOT_DONE})
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        response = FileResponse(_document(request, report_id, "report.html"), content_type="text/html; charset=utf-8")
        # everything in it is escaped; this keeps a browser from running anything regardless
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return response


class ReportTableApi(APIView):
    """A table of the result as CSV (column profiles, or schema violations), safe to open in a spreadsheet."""

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="the table"), 409: _NOT_DONE})
    def get(self, request: Request, report_id: UUID, table: str) -> FileResponse:
        name: DocumentName = "columns.csv" if table == "columns" else "violations.csv"
        return FileResponse(
            _document(request, report_id, name),
            content_type="text/csv; charset=utf-8",
            as_attachment=True,
            filename=f"report-{report_id}-{name}",
        )
