"""Links: every representation carries the URLs a client follows next, so a client that
starts from a `Location` header never builds a URL itself. The API renders them against the
request; notifications (webhooks, e-mail) against the service's public base URL, so a job's
links read the same wherever the job is shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.reverse import reverse

from adapters.output_serializers import OutputSerializer
from application.jobs.read_models import JobView
from application.reports.read_models import has_result


@extend_schema_field(OpenApiTypes.URI)
class Link(serializers.Field):
    """An absolute URL reversed from the object's attributes (`path`: URL kwarg -> attribute,
    `query`: query parameter -> attribute; dotted for a nested one). With `when`, the link is absent unless
    `when(object)` holds (the schema then marks it optional)."""

    def __init__(
        self,
        view_name: str,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        when: Callable[[Any], bool] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(source="*", required=when is None, **options)
        self.view_name = view_name
        self.path = dict(path or {})
        self.query = dict(query or {})
        self.when = when

    def get_attribute(self, instance: Any) -> str:
        if self.when is not None and not self.when(instance):
            raise SkipField()
        kwargs = {name: attrgetter(attribute)(instance) for name, attribute in self.path.items()}
        url = reverse(self.view_name, kwargs=kwargs, request=self.context["request"])
        if self.query:
            url += "?" + urlencode(
                {name: str(attrgetter(attribute)(instance)) for name, attribute in self.query.items()}
            )
        return url

    def to_representation(self, value: str) -> str:
        return value


def _of_report(job: Any) -> bool:
    return job.report_id is not None


@extend_schema_serializer(component_name="JobLinks")
class JobLinksOutput(OutputSerializer):
    """Where to go next. A report's chunk and merge jobs link to their report; the result's
    documents are linked from the report's own job once it succeeded (and from the report)."""

    self = Link("api:job-detail", path={"job_id": "id"})
    events = Link("api:job-events", path={"job_id": "id"}, help_text="the audit trail")
    cancel = Link("api:job-cancel", path={"job_id": "id"}, help_text="POST: cancel")
    retry = Link("api:job-retry", path={"job_id": "id"}, help_text="POST: replay a failed or dead job")
    # DRF keeps declared fields apart from the attributes, so `parent` does not shadow Field.parent
    parent = Link(  # type: ignore[assignment]
        "api:job-detail", path={"job_id": "parent_id"}, when=lambda job: job.parent_id is not None
    )
    children = Link(
        "api:job-list",
        query={"parent_id": "id"},
        when=lambda job: job.children_total > 0,
        help_text="the chunk and merge jobs of a report that fanned out",
    )
    report = Link("api:report-detail", path={"report_id": "report_id"}, when=_of_report)
    schedule = Link(
        "api:schedule-detail",
        path={"schedule_id": "schedule_id"},
        when=lambda job: job.schedule_id is not None,
        help_text="the schedule whose run this job is",
    )
    result = Link(
        "api:report-result",
        path={"report_id": "report_id"},
        when=has_result,
        help_text="the result JSON: on the report's own job, once it succeeded",
    )
    html = Link("api:report-html", path={"report_id": "report_id"}, when=has_result, help_text="as result")
    columns_csv = Link("api:report-columns", path={"report_id": "report_id"}, when=has_result, help_text="as result")
    violations_csv = Link(
        "api:report-violations", path={"report_id": "report_id"}, when=has_result, help_text="as result"
    )


class PublicBase:
    """Stands in for a request where links are rendered outside one: absolute URLs start with
    the service's public base URL (PUBLIC_BASE_URL)."""

    versioning_scheme = None
    GET: Mapping[str, str] = MappingProxyType({})  # no query parameters to carry over

    def __init__(self, base_url: str) -> None:
        self._base = base_url.rstrip("/")

    def build_absolute_uri(self, path: str) -> str:
        return f"{self._base}{path}"


class PublicLinks:
    """The Links port: a job's links as the API renders them, under the public base URL."""

    def __init__(self, *, base_url: str) -> None:
        self._context = {"request": PublicBase(base_url)}

    def job(self, job: JobView) -> dict[str, str]:
        return dict(JobLinksOutput(job, context=self._context).data)
