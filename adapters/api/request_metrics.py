"""Counts every HTTP request by the name of the URL pattern it matched (never the raw path, so
ids do not become labels), its method and status, with its latency."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from adapters.metrics.definitions import HTTP_REQUESTS, HTTP_SECONDS_HISTOGRAM

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # no URL pattern matched (a 404, or a request refused before routing)


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or UNMATCHED) if match is not None else UNMATCHED
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        HTTP_SECONDS_HISTOGRAM.labels(route=route, method=method).observe(time.perf_counter() - started)
        return response
