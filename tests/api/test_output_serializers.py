"""Output serializers copy their declared fields shallowly: each render still binds its own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.test import RequestFactory
from django.urls import set_script_prefix
from rest_framework.request import Request
from rest_framework.reverse import reverse

from adapters.api.representations import JobOutput
from adapters.links import JobLinksOutput, absolute_url
from application.jobs.read_models import JobView
from domain.job import Job


def a_job() -> JobView:
    job = Job.create(
        id=uuid.uuid4(),
        kind="report.process",
        owner_id=1,
        queue="default",
        max_attempts=3,
        now=datetime.now(UTC),
        actor="u",
    )
    return JobView.of(job, internals=False)


def request_to(host: str) -> Request:
    return Request(RequestFactory().get("/", SERVER_NAME=host))


def test_each_render_links_against_its_own_request_and_leaves_the_declared_fields_unbound() -> None:
    job = a_job()
    first = JobOutput(job, context={"request": request_to("127.0.0.1")})
    second = JobOutput(job, context={"request": request_to("localhost")})

    one, two = first.data, second.data

    assert one["links"]["self"] == f"http://127.0.0.1/api/v1/jobs/{job.id}/"
    assert two["links"]["self"] == f"http://localhost/api/v1/jobs/{job.id}/"
    assert first.fields["kind"] is not second.fields["kind"]
    declared = [*JobOutput._declared_fields.values(), *JobLinksOutput._declared_fields.values()]
    assert all(getattr(field, "parent", None) is None for field in declared)


VIEWS_WITH_IDS = [
    ("api:report-detail", "report_id"),
    ("api:report-html", "report_id"),
    ("api:job-detail", "job_id"),
    ("api:job-cancel", "job_id"),
    ("api:dead-letter-replay", "job_id"),
    ("api:schedule-runs", "schedule_id"),
    ("api:webhook-detail", "endpoint_id"),
]


def test_a_link_filled_from_a_reversed_path_is_what_reversing_gives() -> None:
    request = request_to("localhost")
    for view_name, kwarg in VIEWS_WITH_IDS:
        for _ in range(3):  # the first reverses and keeps the path, the others fill it
            kwargs = {kwarg: uuid.uuid4()}
            assert absolute_url(view_name, kwargs, request) == reverse(view_name, kwargs=kwargs, request=request)
    assert absolute_url("api:job-list", {}, request) == "http://localhost/api/v1/jobs/"


def test_a_link_follows_the_script_prefix_and_keeps_the_format_override() -> None:
    job_id = uuid.uuid4()
    absolute_url("api:job-detail", {"job_id": uuid.uuid4()}, request_to("localhost"))  # its path is kept
    set_script_prefix("/behind/a/proxy/")
    try:
        prefixed = absolute_url("api:job-detail", {"job_id": job_id}, request_to("localhost"))
    finally:
        set_script_prefix("/")
    formatted = Request(RequestFactory().get("/", {"format": "json"}, SERVER_NAME="localhost"))

    assert prefixed == f"http://localhost/behind/a/proxy/api/v1/jobs/{job_id}/"
    assert absolute_url("api:job-detail", {"job_id": job_id}, formatted).endswith(f"/jobs/{job_id}/?format=json")


def test_a_kwarg_that_is_not_a_uuid_is_reversed_as_ever() -> None:
    request = request_to("localhost")
    text_id = str(uuid.uuid4())

    assert absolute_url("api:job-detail", {"job_id": text_id}, request) == f"http://localhost/api/v1/jobs/{text_id}/"
