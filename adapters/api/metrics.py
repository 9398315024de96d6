"""GET /metrics: the Prometheus scrape of the web processes, plus the engine's gauges read
from the database and the broker at scrape time. Guarded (adapters.metrics.access)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from adapters.api.problems import PROBLEM_CONTENT_TYPE, problem
from adapters.metrics import access, exposition
from adapters.metrics.collectors import EngineGaugesCollector, QueueDepthCollector
from config.container import container


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    refused = access.refusal(
        token=settings.METRICS_TOKEN,
        authorization=request.headers.get("Authorization", ""),
        client_address=request.META.get("REMOTE_ADDR", ""),
    )
    if refused is not None:
        body = problem(refused.status, refused.problem, refused.title, refused.detail)
        response = JsonResponse(body, status=refused.status, content_type=PROBLEM_CONTENT_TYPE)
        if refused.challenge:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    collectors = (EngineGaugesCollector(container.read_engine_gauges()), QueueDepthCollector(container.queue_depth()))
    return HttpResponse(exposition.render(collectors), content_type=exposition.CONTENT_TYPE)
