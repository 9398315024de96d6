"""Every request gets an id: the caller's `X-Request-ID` when it is a sane one, else a new one.
It is echoed on the response, bound to every log line of the request, and carried by the
jobs the request creates (their `correlation`) into the worker's lines."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponseBase

from adapters.observability import logs

HEADER = "X-Request-ID"
# short, and only characters that cannot break a log line, a header or a query
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# probes and scrapes: logged at DEBUG only, they arrive every few seconds
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

logger = logs.get_logger("reportflow.http")


def request_id_from(header: str | None) -> str:
    """The caller's id when it is 1 to 128 safe characters, else a new random one."""
    if header and _ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds the request id (and, once authenticated, the user and token ids) to the request's
    log lines, echoes it, and logs one line per request with its outcome and duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            log = logger.debug if request.path in _QUIET_PATHS else logger.info
            log(
                "request",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()
