"""RFC 9457 problem details: every error leaves the API as application/problem+json.

Each error class maps to one stable `type`, here and only here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler

from application.errors import (
    ApplicationError,
    EmptyUpload,
    InvalidCursor,
    NotFound,
    ResultNotReady,
    UploadTooLarge,
)
from application.notifications.errors import EndpointDisabled, TooManyEndpoints
from domain.errors import IdempotencyKeyInFlight, IdempotencyKeyReused, InvalidSchema, InvalidTransition
from domain.notifications.errors import EmailAddressRequired, RefusedDestination

PROBLEM_CONTENT_TYPE = "application/problem+json"

# application/domain error -> (HTTP status, problem type slug, title)
_APPLICATION_PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    NotFound: (404, "not-found", "Not found"),
    ResultNotReady: (409, "result-not-ready", "Result not ready"),
    InvalidTransition: (409, "invalid-transition", "Not allowed in the job's current status"),
    UploadTooLarge: (413, "upload-too-large", "Upload too large"),
    EmptyUpload: (400, "empty-upload", "Empty upload"),
    InvalidCursor: (400, "invalid-cursor", "Invalid cursor"),
    InvalidSchema: (400, "invalid-schema", "Invalid declared schema"),
    IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency-Key reused for another request"),
    IdempotencyKeyInFlight: (409, "idempotency-key-in-flight", "A request with this Idempotency-Key is in progress"),
    RefusedDestination: (400, "webhook-url-refused", "This URL cannot receive webhooks"),
    EndpointDisabled: (409, "webhook-disabled", "The webhook endpoint is disabled"),
    TooManyEndpoints: (409, "webhook-limit-reached", "Too many webhook endpoints"),
    EmailAddressRequired: (400, "email-address-required", "An e-mail address is required"),
}

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
    drf.Throttled: ("throttled", "Too many requests"),
}


def problem(status: int, slug: str, title: str, detail: str, **extensions: Any) -> dict[str, Any]:
    return {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, **extensions}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER. Unknown exceptions go on to Django's 500 handler."""
    for error_type, (status, slug, title) in _APPLICATION_PROBLEMS.items():
        if isinstance(exc, error_type):
            return Response(
                problem(status, slug, title, str(exc), **_extensions(exc)),
                status=status,
                content_type=PROBLEM_CONTENT_TYPE,
            )
    if isinstance(exc, ApplicationError):
        return Response(problem(400, "bad-request", "Bad request", str(exc)), 400, content_type=PROBLEM_CONTENT_TYPE)
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
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = str(response.data["detail"])
    else:
        detail = str(response.data)
    response.data = problem(response.status_code, slug, title, detail, **extensions)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _extensions(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ResultNotReady):
        return {"job_status": exc.status}
    if isinstance(exc, UploadTooLarge):
        return {"limit_bytes": exc.limit_bytes}
    if isinstance(exc, InvalidTransition):
        return {"job_status": str(exc.current)}
    if isinstance(exc, TooManyEndpoints):
        return {"limit": exc.limit}
    return {}


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's handler404, for URLs no view matched."""
    body = problem(404, "not-found", "Not found", f"nothing at {request.path}")
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def server_error_view(request: HttpRequest) -> JsonResponse:
    """Django's handler500: no details leak; the traceback is in the logs."""
    body = problem(500, "internal-error", "Internal server error", "an unexpected error occurred")
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
