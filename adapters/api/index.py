"""`GET /`: where to start. A browser goes to the API docs; any other client gets the links."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse


def index(request: HttpRequest) -> HttpResponse:
    docs = request.build_absolute_uri(reverse("docs"))
    if request.get_preferred_type(["application/json", "text/html"]) == "text/html":
        return HttpResponseRedirect(docs)
    links = {
        "docs": docs,
        "schema": reverse("schema"),
        "upload": reverse("api:report-submit"),
        "jobs": reverse("api:job-list"),
        "schedules": reverse("api:schedule-list"),
        "dead_letters": reverse("api:dead-letter-list"),
        "healthz": reverse("healthz"),
        "readyz": reverse("readyz"),
    }
    return JsonResponse(
        {
            "service": "reportflow",
            "detail": "POST a report to links.upload (Authorization: Token <key>); links.docs describes the API.",
            "links": {name: request.build_absolute_uri(url) for name, url in links.items()},
        }
    )
