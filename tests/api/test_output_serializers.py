"""Output serializers render what DRF's own path renders, planning their fields once per class;
a field they bind is a shallow copy, bound for that render only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import set_script_prefix
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from adapters.api.representations import DeadLetterOutput, JobOutput
from adapters.links import JobLinksOutput, absolute_url
from adapters.output_serializers import OutputSerializer
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


def views_of_every_shape() -> list[JobView]:
    """Jobs whose representations differ: withheld or disclosed detail, a parent, children, a
    schedule, a result to link, timestamps set or not."""
    job = a_job()
    now = datetime.now(UTC)
    return [
        job,
        job.model_copy(update={"error_detail": "Traceback ...", "error": "boom", "status": "retrying", "attempts": 2}),
        job.model_copy(update={"report_id": uuid.uuid4(), "status": "succeeded", "progress": 1.0, "finished_at": now}),
        job.model_copy(update={"kind": "report.chunk", "parent_id": uuid.uuid4(), "report_id": uuid.uuid4()}),
        job.model_copy(update={"children_total": 4, "children_done": 1, "started_at": now, "cancel_requested": True}),
        job.model_copy(
            update={"schedule_id": uuid.uuid4(), "scheduled_for": now - timedelta(hours=1), "lease_expires_at": now}
        ),
    ]


def drf_rendered(serializer: type[serializers.Serializer], instance: object, context: dict[str, object]) -> object:
    """What DRF's own path renders: every field, nested ones too, bound and read by DRF."""
    planned = OutputSerializer.to_representation
    OutputSerializer.to_representation = serializers.Serializer.to_representation  # type: ignore[method-assign]
    try:
        return serializer(instance, many=isinstance(instance, list), context=context).data
    finally:
        OutputSerializer.to_representation = planned  # type: ignore[method-assign]


@pytest.mark.parametrize("serializer", [JobOutput, DeadLetterOutput])
def test_a_planned_render_is_what_drf_renders_for_every_shape_of_job(serializer: type[serializers.Serializer]) -> None:
    formatted = Request(RequestFactory().get("/", {"format": "json"}, SERVER_NAME="localhost"))
    for request in (request_to("127.0.0.1"), formatted):
        context = {"request": request}
        for view in views_of_every_shape():
            assert serializer(view, context=context).data == drf_rendered(serializer, view, context)
        page = views_of_every_shape()
        assert serializer(page, many=True, context=context).data == drf_rendered(serializer, page, context)


def test_a_planned_render_keeps_the_field_order_and_reads_what_it_cannot_plan_as_drf_does() -> None:
    view = views_of_every_shape()[1]
    request = request_to("localhost")

    rendered = JobOutput(view, context={"request": request}).data
    withheld = JobOutput(view.model_copy(update={"error_detail": None}), context={"request": request}).data

    assert list(rendered) == list(JobOutput._declared_fields)
    assert rendered["error_detail"] == "Traceback ..." and "error_detail" not in withheld
    assert rendered["created_at"].endswith("Z") and rendered["started_at"] is None
