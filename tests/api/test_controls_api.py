"""Controls at the HTTP edge: submission rate limits with the RateLimit header fields, quotas,
the backlog, and deleting a report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from adapters.rate_limits.counters import DatabaseRateCounter
from adapters.rate_limits.limits import RatePolicy, SubmitRateLimits
from application.reports.quotas import SubmissionQuotas
from config.container import container
from tests.api.conftest import client_for

PROBLEM = "application/problem+json"


@pytest.fixture
def rate_limits() -> Iterator[Any]:
    def override(user: int = 0, everyone: int = 0, window: int = 3600) -> None:
        container.submit_rate_limits.override(
            SubmitRateLimits(
                counter=DatabaseRateCounter(),
                user=RatePolicy(name="user", quota=user, window=window) if user else None,
                everyone=RatePolicy(name="global", quota=everyone, window=window) if everyone else None,
            )
        )

    yield override
    container.submit_rate_limits.reset_override()


@pytest.fixture
def quotas() -> Iterator[Any]:
    def override(**limits: int) -> None:
        container.quotas.override(SubmissionQuotas(**limits))

    yield override
    container.quotas.reset_override()


def test_a_user_past_its_rate_limit_gets_429_with_retry_after_and_every_answer_has_ratelimit_fields(
    upload: Any, rate_limits: Any
) -> None:
    rate_limits(user=2)

    answers = [upload() for _ in range(3)]

    first, second, refused = answers
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert first["RateLimit-Policy"] == '"user";q=2;w=3600'
    reset = int(re.fullmatch(r'"user";r=1;t=(\d+)', first["RateLimit"]).group(1))  # type: ignore[union-attr]
    assert 0 < reset <= 3600
    assert second["RateLimit"].startswith('"user";r=0;')
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["type"] == "/problems/rate-limited"
    assert (refused.json()["policy"], refused.json()["limit"], refused.json()["window_seconds"]) == ("user", 2, 3600)
    assert int(refused["Retry-After"]) == int(refused["RateLimit"].rsplit("t=", 1)[1]) > 0
    assert refused["RateLimit-Policy"] == '"user";q=2;w=3600'


def test_the_global_limit_is_shared_by_every_user_and_counts_only_what_users_limits_let_through(
    upload: Any, bob: APIClient, rate_limits: Any
) -> None:
    rate_limits(user=1, everyone=2)

    alice_answers = [upload().status_code for _ in range(3)]  # the 2nd and 3rd: her own limit
    bob_first = upload(client=bob)
    carol_first = upload(client=client_for("carol"))

    assert alice_answers == [202, 429, 429]
    assert bob_first.status_code == 202
    assert bob_first["RateLimit-Policy"] == '"user";q=1;w=3600, "global";q=2;w=3600'
    assert carol_first.status_code == 429
    assert carol_first.json()["policy"] == "global"


def test_without_limits_there_are_no_ratelimit_fields(upload: Any) -> None:
    response = upload()

    assert response.status_code == 202
    assert "RateLimit" not in response and "RateLimit-Policy" not in response


def test_a_user_with_too_many_unfinished_jobs_gets_429_with_the_limit(upload: Any, bob: APIClient, quotas: Any) -> None:
    quotas(max_queued=1)
    upload()

    refused = upload()
    other_user = upload(client=bob)

    assert (refused.status_code, refused["Content-Type"]) == (429, PROBLEM)
    assert (refused.json()["type"], refused.json()["limit"]) == ("/problems/too-many-queued", 1)
    assert other_user.status_code == 202


def test_an_upload_past_the_storage_quota_gets_413_with_the_limit_and_the_usage(upload: Any, quotas: Any) -> None:
    quotas(max_stored_bytes=20)
    upload(b"a,b\n1,2\n3,4\n")

    refused = upload(b"a,b\n1,2\n3,4\n")

    assert refused.status_code == 413
    body = refused.json()
    assert (body["type"], body["limit_bytes"], body["used_bytes"]) == ("/problems/storage-quota-exceeded", 20, 12)


def test_a_full_backlog_answers_503_with_retry_after_while_readyz_stays_200(
    upload: Any, bob: APIClient, quotas: Any
) -> None:
    quotas(max_backlog=1, backlog_retry_after_seconds=20)
    upload()

    refused = upload(client=bob)
    ready = Client().get("/readyz")

    assert (refused.status_code, refused["Content-Type"], refused["Retry-After"]) == (503, PROBLEM, "20")
    assert refused.json()["type"] == "/problems/backlog-full"
    assert ready.status_code == 200


def test_a_deleted_report_keeps_its_metadata_and_audit_trail_and_its_documents_answer_410(
    alice: APIClient, upload: Any, run_worker: Any
) -> None:
    from adapters.orm.models import ReportRecord

    job = upload().json()
    run_worker()
    report_url = job["links"]["report"]
    record = ReportRecord.objects.get(id=job["report_id"])
    files = [record.blob_key, *{part["key"] for part in record.documents.values()}]
    storage = container.blobs()
    events_before = alice.get(f"/api/v1/jobs/{job['id']}/events/").json()

    deleted = alice.delete(report_url)
    again = alice.delete(report_url)
    report = alice.get(report_url).json()
    result = alice.get(f"{report_url}result/")
    html = alice.get(f"{report_url}report.html")

    assert (deleted.status_code, again.status_code) == (204, 204)
    assert report["deleted_at"] is not None and report["summary"] is not None
    assert "html_signed" not in report["links"]
    assert (result.status_code, result["Content-Type"], result.json()["type"]) == (
        410,
        PROBLEM,
        "/problems/report-deleted",
    )
    assert html.status_code == 410
    assert not any(storage.exists(key) for key in files)
    assert alice.get(f"/api/v1/jobs/{job['id']}/events/").json() == events_before


def test_a_report_whose_job_has_not_ended_is_not_deleted(alice: APIClient, upload: Any) -> None:
    job = upload().json()

    refused = alice.delete(job["links"]["report"])

    assert refused.status_code == 409
    assert (refused.json()["type"], refused.json()["job_status"]) == ("/problems/report-job-active", "queued")


def test_a_report_a_schedule_runs_from_is_not_deleted_and_the_problem_names_the_schedule(
    alice: APIClient, upload: Any, run_worker: Any
) -> None:
    job = upload().json()
    run_worker()
    schedule = alice.post(
        "/api/v1/schedules/", {"report_id": job["report_id"], "cron": "0 3 * * *"}, format="json"
    ).json()

    refused = alice.delete(job["links"]["report"])
    alice.delete(f"/api/v1/schedules/{schedule['id']}/")
    deleted = alice.delete(job["links"]["report"])

    assert refused.status_code == 409
    assert (refused.json()["type"], refused.json()["schedules"]) == ("/problems/report-in-use", [schedule["id"]])
    assert deleted.status_code == 204


def test_another_users_report_cannot_be_deleted(bob: APIClient, upload: Any, run_worker: Any) -> None:
    job = upload().json()
    run_worker()

    assert bob.delete(job["links"]["report"]).status_code == 404


def test_the_schema_documents_the_refusals_and_ratelimit_fields_of_submit_and_the_bodies_conform(
    upload: Any, rate_limits: Any, quotas: Any
) -> None:
    from drf_spectacular.generators import SchemaGenerator

    from tests.api.test_openapi_schema import conforms

    schema = SchemaGenerator().get_schema(request=None, public=True)
    submit = schema["paths"]["/api/v1/reports/"]["post"]["responses"]
    delete = schema["paths"]["/api/v1/reports/{report_id}/"]["delete"]["responses"]
    rate_limits(user=1)
    upload()
    rate_limited = upload().json()
    rate_limits()
    quotas(max_stored_bytes=1)
    over_quota = upload().json()

    assert "/problems/rate-limited" in submit["429"]["description"]
    assert "/problems/too-many-queued" in submit["429"]["description"]
    assert "/problems/storage-quota-exceeded" in submit["413"]["description"]
    assert "/problems/backlog-full" in submit["503"]["description"]
    assert {"RateLimit", "RateLimit-Policy"} <= set(submit["202"]["headers"]) & set(submit["429"]["headers"])
    assert "Retry-After" in submit["429"]["headers"] and "Retry-After" in submit["503"]["headers"]
    assert {"204", "404", "409"} <= set(delete)
    for body in (rate_limited, over_quota):
        conforms(body, {"$ref": "#/components/schemas/Problem"}, schema["components"]["schemas"], "Problem")


def test_an_operator_gives_a_user_a_rate_of_its_own_and_takes_it_back(upload: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from adapters.orm.user_limits import DjangoRateOverrides
    from adapters.rate_limits.limits import CachedOverrides

    out = StringIO()
    call_command("user_limits", "alice", "--submit-rate", "1/hour", stdout=out)
    limits = SubmitRateLimits(
        counter=DatabaseRateCounter(),
        user=RatePolicy(name="user", quota=100, window=60),
        everyone=None,
        overrides=CachedOverrides(DjangoRateOverrides()),
    )
    with container.submit_rate_limits.override(limits):
        answers = [upload().status_code for _ in range(2)]
    call_command("user_limits", "alice", "--default", stdout=out)
    with pytest.raises(CommandError, match="COUNT/PERIOD"):
        call_command("user_limits", "alice", "--submit-rate", "often")

    assert answers == [202, 429]
    assert out.getvalue().splitlines() == ["alice: submit rate 1/hour", "alice: submit rate 0 (SUBMIT_RATE_LIMIT)"]
    assert DjangoRateOverrides().submit_rate(1_000_000) is None
