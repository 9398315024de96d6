"""Report endpoints: submit an upload, read a report, read its result."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.fields import SkipField
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from adapters.api.http_errors import LengthRequired
from adapters.api.idempotency_key import idempotency_key
from adapters.api.owner import owner_id
from adapters.api.renderers import CsvDocumentRenderer, HtmlDocumentRenderer
from adapters.api.representations import JOB_STATUSES, JobOutput
from adapters.api.schema import IDEMPOTENCY_KEY_HEADER, location_header, problem_responses
from adapters.api.signed_links import QUERY_PARAMETER, SignedLinkAuthentication, sign_report_html
from adapters.api.throttling import RATE_LIMIT_HEADERS, RateLimitedApi
from adapters.api.upload_limit import limited_upload_handlers
from adapters.links import Link
from adapters.orm.models import HIGH_PRIORITY_PERMISSION
from application.reports.delete import DeleteReport
from application.reports.get_report import DocumentName, GetReport, GetReportDocument
from application.reports.read_models import has_result
from application.reports.submit import SubmitReport
from config.container import container


@extend_schema_field({"type": "object", "additionalProperties": True})
class DeclaredSchemaField(serializers.JSONField):
    """A JSON object sent as a form field's text."""


class ReportSubmitApi(RateLimitedApi):
    @extend_schema_serializer(component_name="ReportUpload")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True, help_text="the report: CSV, TSV, JSON Lines, Parquet, XLSX")
        name = serializers.CharField(required=False, allow_blank=True, max_length=255)
        priority = serializers.ChoiceField(
            choices=["normal", "high"],
            required=False,
            default="normal",
            help_text="`high` goes to the high-priority queue; only users with the permission may ask for it",
        )
        schema = DeclaredSchemaField(
            required=False, binary=True, help_text="a declared schema (JSON object) to check every row against"
        )

        def validate_schema(self, value: object) -> object:
            if not isinstance(value, dict):
                raise serializers.ValidationError("must be a JSON object")
            return value

    @extend_schema(
        operation_id="reports_submit",
        request={"multipart/form-data": InputSerializer},
        parameters=[
            IDEMPOTENCY_KEY_HEADER,
            location_header(202, description="the job (its `links.report` leads to the report)"),
            *RATE_LIMIT_HEADERS,
            OpenApiParameter(
                "Retry-After",
                type=OpenApiTypes.INT,
                location=OpenApiParameter.HEADER,
                response=[429, 503],
                description="seconds to wait before submitting again",
            ),
        ],
        responses={
            202: JobOutput,
            **problem_responses(
                "validation-error",
                "malformed-request",
                "empty-upload",
                "invalid-schema",
                "bad-request",
                "idempotency-key-in-flight",
                "length-required",
                "upload-too-large",
                "unsupported-media-type",
                "idempotency-key-reused",
                "priority-not-allowed",
                "rate-limited",
                "too-many-queued",
                "storage-quota-exceeded",
                "backlog-full",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # WSGI hands Django no length for a chunked body, so it would parse as empty
            raise LengthRequired()
        request._request.upload_handlers = limited_upload_handlers(
            request._request, limit_bytes=container.intake().max_upload_bytes
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        name = data.validated_data.get("name", "")
        schema = data.validated_data.get("schema")
        priority = data.validated_data["priority"]
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
                    request,
                    parts=[name, upload.name or "", json.dumps(schema, sort_keys=True), priority],
                    upload=upload,
                ),
                priority=priority,
                # asked only when it matters: has_perm costs two queries
                may_prioritize=priority != "normal"
                and bool(request.user.is_staff or request.user.has_perm(HIGH_PRIORITY_PERMISSION)),
            )
        )
        body = JobOutput(submitted.job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


@extend_schema_field(OpenApiTypes.URI)
class SignedHtmlLink(serializers.Field):
    """The HTML page's signed link (context `signed_html`), once the report has a result."""

    def __init__(self) -> None:
        super().__init__(source="*", required=False)

    def get_attribute(self, report: Any) -> str:
        signed = self.context.get("signed_html")
        if signed is None:
            raise SkipField()
        url = reverse("api:report-html-signed", kwargs={"report_id": report.id}, request=self.context["request"])
        return f"{url}?{urlencode({QUERY_PARAMETER: signed.signature})}"

    def to_representation(self, value: str) -> str:
        return value


class SignedLinkExpiry(serializers.DateTimeField):
    def __init__(self, **options: Any) -> None:
        super().__init__(source="*", allow_null=True, **options)

    def get_attribute(self, report: Any) -> Any:
        signed = self.context.get("signed_html")
        return None if signed is None else signed.expires_at


@extend_schema_serializer(component_name="ReportLinks")
class ReportLinksOutput(serializers.Serializer):
    """The result's documents answer 409 until the report's job succeeded; `html_signed`
    appears then: it opens the HTML page without an Authorization header, until it expires."""

    self = Link("api:report-detail", path={"report_id": "id"})
    job = Link("api:job-detail", path={"job_id": "job.id"})
    result = Link("api:report-result", path={"report_id": "id"})
    html = Link("api:report-html", path={"report_id": "id"})
    columns_csv = Link("api:report-columns", path={"report_id": "id"})
    violations_csv = Link("api:report-violations", path={"report_id": "id"})
    html_signed = SignedHtmlLink()


class ReportDetailApi(APIView):
    @extend_schema_serializer(component_name="Report")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        name = serializers.CharField()
        filename = serializers.CharField()
        size_bytes = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        completed_at = serializers.DateTimeField(allow_null=True)
        status = serializers.ChoiceField(choices=JOB_STATUSES, source="job.status")
        progress = serializers.FloatField(source="job.progress")
        summary = serializers.DictField(allow_null=True)
        deleted_at = serializers.DateTimeField(
            allow_null=True, help_text="when its upload and result were deleted; its documents answer 410 since"
        )
        job = JobOutput()
        links = ReportLinksOutput(source="*")
        html_signed_expires_at = SignedLinkExpiry(help_text="when `links.html_signed` stops working")

    @extend_schema(
        operation_id="reports_retrieve",
        responses={200: OutputSerializer, **problem_responses("not-found")},
    )
    def get(self, request: Request, report_id: UUID) -> Response:
        owner = owner_id(request)
        report = container.get_report()(
            GetReport(owner_id=owner, report_id=report_id, is_staff=bool(request.user.is_staff))
        )
        signed = (
            sign_report_html(report.id, owner, now=container.clock().now())
            if has_result(report.job) and report.deleted_at is None
            else None
        )
        return Response(self.OutputSerializer(report, context={"request": request, "signed_html": signed}).data)

    @extend_schema(
        operation_id="reports_delete",
        description="Delete the report's upload and result documents. The report stays, with `deleted_at`, "
        "and so does its job's audit trail; its documents answer 410 from then on. Refused while its job "
        "has not ended (cancel it first) and while a schedule runs from it (delete the schedule first).",
        responses={204: None, **problem_responses("not-found", "report-job-active", "report-in-use")},
    )
    def delete(self, request: Request, report_id: UUID) -> Response:
        container.delete_report()(DeleteReport(owner_id=owner_id(request), report_id=report_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _document(request: Request, report_id: UUID, name: DocumentName) -> Any:
    return container.get_report_document()(
        GetReportDocument(owner_id=owner_id(request), report_id=report_id, document=name)
    )


_DOCUMENT_PROBLEMS = ("not-found", "result-not-ready", "result-unavailable", "report-deleted")


class ReportResultApi(APIView):
    @extend_schema(
        operation_id="reports_result",
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="the result, schema_version 2 (RESULT_SCHEMA.md)"
            ),
            **problem_responses(*_DOCUMENT_PROBLEMS),
        },
    )
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        return FileResponse(
            _document(request, report_id, "result.json"),
            content_type="application/json",
            filename=f"report-{report_id}-result.json",  # inline: a browser shows it, and saves it by this name
        )


HTML_REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
)


class ReportHtmlApi(APIView):
    """The report as one self-contained HTML page: inline SVG charts, no scripts, no external assets."""

    renderer_classes = [JSONRenderer, HtmlDocumentRenderer]

    @extend_schema(
        operation_id="reports_html",
        responses={
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="the HTML report"),
            **problem_responses(*_DOCUMENT_PROBLEMS),
        },
    )
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        response = FileResponse(
            _document(request, report_id, "report.html"),
            content_type="text/html; charset=utf-8",
            filename=f"report-{report_id}-report.html",
        )
        # everything in it is escaped; this keeps a browser from running, framing, submitting or
        # resolving anything regardless, and sandboxes the page in an origin of its own
        response["Content-Security-Policy"] = HTML_REPORT_POLICY
        return response


class ReportHtmlSignedApi(ReportHtmlApi):
    """The HTML page by its signed link (`links.html_signed` of the report): no Authorization header."""

    # the signature is the permission: SignedLinkAuthentication answers its owner or raises
    authentication_classes = [SignedLinkAuthentication]
    permission_classes = []

    @extend_schema(
        operation_id="reports_html_signed",
        parameters=[
            OpenApiParameter(
                QUERY_PARAMETER, required=True, description="as handed out in the report's `links.html_signed`"
            )
        ],
        responses={
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="the HTML report"),
            **problem_responses("invalid-link", "link-expired", *_DOCUMENT_PROBLEMS),
        },
    )
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        return super().get(request, report_id)


def _table(request: Request, report_id: UUID, name: DocumentName) -> FileResponse:
    return FileResponse(
        _document(request, report_id, name),
        content_type="text/csv; charset=utf-8",
        as_attachment=True,
        filename=f"report-{report_id}-{name}",
    )


def _table_schema(operation_id: str, description: str) -> Any:
    return extend_schema(
        operation_id=operation_id,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=description),
            **problem_responses(*_DOCUMENT_PROBLEMS),
        },
    )


class ReportColumnsCsvApi(APIView):
    """The column profiles as CSV, safe to open in a spreadsheet (formulas neutralised)."""

    renderer_classes = [JSONRenderer, CsvDocumentRenderer]

    @_table_schema("reports_columns_csv", "one row per column of the file")
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        return _table(request, report_id, "columns.csv")


class ReportViolationsCsvApi(APIView):
    """The declared schema's violations as CSV, safe to open in a spreadsheet (formulas neutralised)."""

    renderer_classes = [JSONRenderer, CsvDocumentRenderer]

    @_table_schema("reports_violations_csv", "one row per violation, with its line")
    def get(self, request: Request, report_id: UUID) -> FileResponse:
        return _table(request, report_id, "violations.csv")
