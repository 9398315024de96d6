"""RFC 9457 problem details: every error leaves the API as application/problem+json.

Each error class maps to one stable `type`, here and only here; `problem_types()` lists
every type the service can answer (the README lists the same, a test compares them), and
`ProblemOutput` both documents a problem and renders it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from adapters.api.http_errors import InvalidLink, LengthRequired, LinkExpired
from adapters.api.throttling import RateLimited
from application.errors import (
    ApplicationError,
    BacklogFull,
    EmptyUpload,
    InvalidCursor,
    NotFound,
    PriorityNotAllowed,
    ReportDeleted,
    ReportInUse,
    ReportJobActive,
    ResultNotReady,
    ResultUnavailable,
    StorageQuotaExceeded,
    TooManyQueued,
    UploadTooLarge,
)
from application.notifications.errors import EndpointDisabled, TooManyEndpoints
from domain.errors import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidSchedule,
    InvalidSchema,
    InvalidTransition,
)
from domain.job_status import JobStatus
from domain.notifications.errors import EmailAddressRequired, RefusedDestination

PROBLEM_CONTENT_TYPE = "application/problem+json"

# application/domain error -> (HTTP status, problem type slug, title)
_APPLICATION_PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    NotFound: (404, "not-found", "Not found"),
    ResultNotReady: (409, "result-not-ready", "Result not ready"),
    ResultUnavailable: (409, "result-unavailable", "The job ended without a result"),
    InvalidTransition: (409, "invalid-transition", "Not allowed in the job's current status"),
    UploadTooLarge: (413, "upload-too-large", "Upload too large"),
    EmptyUpload: (400, "empty-upload", "Empty upload"),
    InvalidCursor: (400, "invalid-cursor", "Invalid cursor"),
    InvalidSchema: (400, "invalid-schema", "Invalid declared schema"),
    InvalidSchedule: (400, "validation-error", "Invalid request"),  # a cron or timezone: `errors` names which
    IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency-Key reused for another request"),
    IdempotencyKeyInFlight: (409, "idempotency-key-in-flight", "A request with this Idempotency-Key is in progress"),
    PriorityNotAllowed: (403, "priority-not-allowed", "Priority not allowed"),
    RefusedDestination: (400, "webhook-url-refused", "This URL cannot receive webhooks"),
    EndpointDisabled: (409, "webhook-disabled", "The webhook endpoint is disabled"),
    TooManyEndpoints: (409, "webhook-limit-reached", "Too many webhook endpoints"),
    EmailAddressRequired: (400, "email-address-required", "An e-mail address is required"),
    TooManyQueued: (429, "too-many-queued", "Too many unfinished jobs"),
    StorageQuotaExceeded: (413, "storage-quota-exceeded", "Storage quota exceeded"),
    BacklogFull: (503, "backlog-full", "Too much work waiting"),
    ReportDeleted: (410, "report-deleted", "Report deleted"),
    ReportJobActive: (409, "report-job-active", "The report's job has not ended"),
    ReportInUse: (409, "report-in-use", "Schedules run from this report"),
}

# HTTP error (DRF's, or the edge's own) -> (problem type slug, title); the status is the error's
_DRF_PROBLEMS: dict[type[drf.APIException], tuple[str, str]] = {
    drf.ValidationError: ("validation-error", "Invalid request"),
    drf.ParseError: ("malformed-request", "Malformed request"),
    drf.NotAuthenticated: ("not-authenticated", "Authentication required"),
    drf.AuthenticationFailed: ("authentication-failed", "Authentication failed"),
    drf.PermissionDenied: ("permission-denied", "Permission denied"),
    drf.NotFound: ("not-found", "Not found"),
    drf.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    drf.NotAcceptable: ("not-acceptable", "Not acceptable"),
    drf.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    RateLimited: ("rate-limited", "Submission rate limit reached"),
    drf.Throttled: ("throttled", "Too many requests"),
    LengthRequired: ("length-required", "Content-Length required"),
    InvalidLink: ("invalid-link", "Invalid link"),
    LinkExpired: ("link-expired", "Link expired"),
}

# problems built directly with problem(): slug -> (HTTP status, or None when it varies; title)
_OTHER_PROBLEMS: dict[str, tuple[int | None, str]] = {
    "bad-request": (400, "Bad request"),  # an application error without a type of its own; what Django refuses
    "http-error": (None, "Request failed"),  # an HTTP error without a type of its own
    "not-ready": (503, "Not ready"),  # /readyz
    "internal-error": (500, "Internal server error"),
}


def problem_types() -> dict[str, tuple[int | None, str]]:
    """Every problem type the service answers: slug -> (HTTP status or None, title)."""
    types = {slug: (status, title) for status, slug, title in _APPLICATION_PROBLEMS.values()}
    types |= {slug: (error.status_code, title) for error, (slug, title) in _DRF_PROBLEMS.items()}
    return types | _OTHER_PROBLEMS


def problem_uri(slug: str) -> str:
    return f"/problems/{slug}"


def problem_type_uris() -> list[str]:
    return sorted(problem_uri(slug) for slug in problem_types())


@extend_schema_serializer(component_name="Problem")
class ProblemOutput(serializers.Serializer):
    """An RFC 9457 problem: `type` says what went wrong, stable; `detail` says it for this request."""

    type = serializers.ChoiceField(choices=problem_type_uris())
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.JSONField(  # type: ignore[assignment]  # a declared field, not Serializer.errors
        required=False, help_text="validation-error: the messages per field"
    )
    job_status = serializers.ChoiceField(
        choices=[s.value for s in JobStatus],
        required=False,
        help_text="result-not-ready, result-unavailable, invalid-transition, report-job-active: the job's status",
    )
    limit_bytes = serializers.IntegerField(
        required=False, help_text="upload-too-large, storage-quota-exceeded: the limit"
    )
    used_bytes = serializers.IntegerField(required=False, help_text="storage-quota-exceeded: the bytes stored now")
    schedules = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="report-in-use: the schedules running from it"
    )
    limit = serializers.IntegerField(
        required=False,
        help_text="webhook-limit-reached: endpoints per user; rate-limited: requests per window; "
        "too-many-queued: unfinished jobs per user; storage-quota-exceeded: bytes per user",
    )
    policy = serializers.ChoiceField(
        choices=["user", "global"], required=False, help_text="rate-limited: the limit that was reached"
    )
    window_seconds = serializers.IntegerField(required=False, help_text="rate-limited: the limit's window")
    checks = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="not-ready: each dependency's state"
    )


def problem(status: int, slug: str, title: str, detail: str, **extensions: Any) -> dict[str, Any]:
    """The problem's body, rendered by ProblemOutput (an extension it does not document is dropped)."""
    body = {"type": problem_uri(slug), "title": title, "status": status, "detail": detail, **extensions}
    return dict(ProblemOutput(body).data)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER. Unknown exceptions go on to Django's 500 handler."""
    for error_type, (status, slug, title) in _APPLICATION_PROBLEMS.items():
        if isinstance(exc, error_type):
            return Response(
                problem(status, slug, title, str(exc), **_extensions(exc)),
                status=status,
                content_type=PROBLEM_CONTENT_TYPE,
                headers={"Retry-After": str(exc.retry_after_seconds)} if isinstance(exc, BacklogFull) else None,
            )
    if isinstance(exc, ApplicationError):
        return Response(problem(400, "bad-request", "Bad request", str(exc)), 400, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, SuspiciousOperation):
        return Response(
            problem(400, "bad-request", "Bad request", _refusal(exc)), 400, content_type=PROBLEM_CONTENT_TYPE
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()
    response = exception_handler(exc, context)  # handles Http404, PermissionDenied and APIException
    if response is None:
        return None
    slug, title = next(
        ((slug, title) for kind, (slug, title) in _DRF_PROBLEMS.items() if isinstance(exc, kind)),
        ("http-error", "Request failed"),
    )
    extensions: dict[str, Any] = {}
    if isinstance(exc, drf.ValidationError):
        detail, extensions["errors"] = "The request has invalid fields.", response.data
    elif isinstance(exc, RateLimited):
        detail = str(exc.detail)
        extensions = {"policy": exc.policy.name, "limit": exc.policy.quota, "window_seconds": exc.policy.window}
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = str(response.data["detail"])
    else:
        detail = str(response.data)
    response.data = problem(response.status_code, slug, title, detail, **extensions)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _extensions(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ResultNotReady | ResultUnavailable):
        return {"job_status": exc.status}
    if isinstance(exc, UploadTooLarge):
        return {"limit_bytes": exc.limit_bytes}
    if isinstance(exc, InvalidTransition):
        return {"job_status": str(exc.current)}
    if isinstance(exc, InvalidSchedule):
        return {"errors": {exc.field: [str(exc)]}}
    if isinstance(exc, TooManyEndpoints | TooManyQueued):
        return {"limit": exc.limit}
    if isinstance(exc, StorageQuotaExceeded):
        return {"limit_bytes": exc.limit_bytes, "used_bytes": exc.used_bytes}
    if isinstance(exc, ReportJobActive):
        return {"job_status": exc.status}
    if isinstance(exc, ReportInUse):
        return {"schedules": [str(s) for s in exc.schedule_ids]}
    return {}


# what Django refuses while it reads a request, said for the client
_REFUSALS: dict[type[SuspiciousOperation], str] = {
    RequestDataTooBig: "the form fields other than the file are too large",
    TooManyFieldsSent: "the request has too many form fields",
    TooManyFilesSent: "the request has too many files",
    DisallowedHost: "the request's Host header names no host this service answers for",
}


def _refusal(exc: Exception | None) -> str:
    return next((text for kind, text in _REFUSALS.items() if isinstance(exc, kind)), "the request was refused")


def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's handler400: what it refuses outside a view (an unknown Host, oversized form data)."""
    body = problem(400, "bad-request", "Bad request", _refusal(exception))
    return JsonResponse(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


def permission_denied_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's handler403."""
    body = problem(403, "permission-denied", "Permission denied", "you may not do this")
    return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's handler404, for URLs no view matched."""
    body = problem(404, "not-found", "Not found", f"nothing at {request.path}")
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def server_error_view(request: HttpRequest) -> JsonResponse:
    """Django's handler500: no details leak; the traceback is in the logs."""
    body = problem(500, "internal-error", "Internal server error", "an unexpected error occurred")
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
