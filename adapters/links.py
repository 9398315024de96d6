"""Links: every representation carries the URLs a client follows next, so a client that
starts from a `Location` header never builds a URL itself. The API renders them against the
request; notifications (webhooks, e-mail) against the service's public base URL, so a job's
links read the same wherever the job is shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import urlencode
from uuid import UUID

from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.reverse import preserve_builtin_query_params, reverse

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
        request = self.context["request"]
        url = self.url(instance, request, LinkBase.of(request))
        if url is None:
            raise SkipField()
        return url

    @staticmethod
    def shared(request: Any) -> LinkBase:
        """What every link of one object shares (`url`'s `base`): `LinkBase.of`, reached
        through the field by output serializers, which links.py imports."""
        return LinkBase.of(request)

    def url(self, instance: Any, request: Any, base: LinkBase) -> str | None:
        """The link of `instance`, or None when `when` leaves it out."""
        if self.when is not None and not self.when(instance):
            return None
        kwargs = {name: attrgetter(attribute)(instance) for name, attribute in self.path.items()}
        url = absolute_url(self.view_name, kwargs, request, base)
        if self.query:
            url += "?" + urlencode(
                {name: str(attrgetter(attribute)(instance)) for name, attribute in self.query.items()}
            )
        return url

    def to_representation(self, value: str) -> str:
        return value


class LinkBase(NamedTuple):
    """What the links rendered against one request share: looked up once for an object's
    links, not for each (the script prefix and URL conf are context-local lookups)."""

    script_prefix: str
    urlconf: Any
    scheme_host: str  # what the request's absolute URIs start with
    carries_query: bool  # the request's query may hold parameters DRF carries into links

    @classmethod
    def of(cls, request: Any) -> LinkBase:
        scheme_host = request.build_absolute_uri("/")[:-1]
        return cls(get_script_prefix(), get_urlconf(), scheme_host, bool(request.GET))

    def absolute(self, path: str, request: Any) -> str:
        """`request.build_absolute_uri(path)`, with DRF's format and version parameters
        carried over. A reversed path is already quoted, so when it is a plain absolute path
        the URI is the scheme and host followed by it."""
        if self.carries_query:
            return preserve_builtin_query_params(request.build_absolute_uri(path), request)
        if path.startswith("/") and not path.startswith("//") and "/./" not in path and "/../" not in path:
            return self.scheme_host + path
        return str(request.build_absolute_uri(path))


# URL paths with their ids as fields to fill, by view, kwarg names, script prefix and URLconf
_PATHS: dict[tuple[str, tuple[str, ...], str, Any], str] = {}


def absolute_url(view_name: str, kwargs: Mapping[str, Any], request: Any, base: LinkBase | None = None) -> str:
    """What DRF's `reverse(view_name, kwargs=kwargs, request=request)` gives, without asking
    Django's resolver each time when every kwarg is a UUID (every id here): the path is
    reversed once, its ids turned into fields to fill (a UUID reverses as its own text), and
    later links fill them in. Reversing costs 50-70 us a link; a page of 50 jobs has 250.
    `base`: what this request's links share, when the caller looked it up already."""
    if getattr(request, "versioning_scheme", None) is not None or not all(
        isinstance(value, UUID) for value in kwargs.values()
    ):
        return reverse(view_name, kwargs=dict(kwargs), request=request)
    base = base or LinkBase.of(request)
    key = (view_name, tuple(sorted(kwargs)), base.script_prefix, base.urlconf)
    template = _PATHS.get(key)
    if template is None:
        path = django_reverse(view_name, kwargs=dict(kwargs))
        if (template := _fields_of(path, kwargs)) is not None:
            _PATHS[key] = template
    else:
        path = template.format_map({name: str(value) for name, value in kwargs.items()})
    return base.absolute(path, request)


def _fields_of(path: str, kwargs: Mapping[str, UUID]) -> str | None:
    """`path` with each kwarg's text made a format field, or None when that is ambiguous."""
    if "{" in path or "}" in path:
        return None
    for name, value in kwargs.items():
        text = str(value)
        if path.count(text) != 1:
            return None
        path = path.replace(text, "{" + name + "}")
    return path


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
