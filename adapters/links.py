"""The links of the API's resources, spelled once from the URL conf: the API renders them
against the request's host, notifications against the public base URL."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.urls import reverse

from application.jobs.read_models import JobView

Absolute = Callable[[str], str]  # a path -> an absolute URL


def job_links(job: JobView, absolute: Absolute) -> dict[str, str]:
    links = {
        "self": absolute(reverse("api:job-detail", kwargs={"job_id": job.id})),
        "events": absolute(reverse("api:job-events", kwargs={"job_id": job.id})),
        "cancel": absolute(reverse("api:job-cancel", kwargs={"job_id": job.id})),
        "retry": absolute(reverse("api:job-retry", kwargs={"job_id": job.id})),
    }
    if job.parent_id:
        links["parent"] = absolute(reverse("api:job-detail", kwargs={"job_id": job.parent_id}))
    if job.children_total:
        links["children"] = f"{absolute(reverse('api:job-list'))}?parent_id={job.id}"
    return links


def report_links(report_id: UUID, absolute: Absolute) -> dict[str, str]:
    kwargs = {"report_id": report_id}
    return {
        "self": absolute(reverse("api:report-detail", kwargs=kwargs)),
        "result": absolute(reverse("api:report-result", kwargs=kwargs)),
        "html": absolute(reverse("api:report-html", kwargs=kwargs)),
        "columns_csv": absolute(reverse("api:report-columns", kwargs=kwargs)),
        "violations_csv": absolute(reverse("api:report-violations", kwargs=kwargs)),
    }


class PublicLinks:
    """Links under the service's public base URL (PUBLIC_BASE_URL), for webhooks and e-mail."""

    def __init__(self, *, base_url: str) -> None:
        self._base = base_url.rstrip("/")

    def _absolute(self, path: str) -> str:
        return f"{self._base}{path}"

    def job(self, job: JobView) -> dict[str, str]:
        return job_links(job, self._absolute)

    def report(self, report_id: UUID) -> dict[str, str]:
        return report_links(report_id, self._absolute)
