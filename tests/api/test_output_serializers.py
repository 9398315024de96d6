"""Output serializers copy their declared fields shallowly: each render still binds its own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.test import RequestFactory
from rest_framework.request import Request

from adapters.api.representations import JobOutput
from adapters.links import JobLinksOutput
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
