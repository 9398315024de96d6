"""GET /metrics: guarded by a token or the loopback interface, and what it counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from application.jobs.statistics import EngineGauges
from config.container import container


def scrape(client: Client | None = None, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_a_loopback_client_reads_the_metrics_without_a_token() -> None:
    samples = scrape(REMOTE_ADDR="127.0.0.1")

    assert value(samples, "reportflow_statistics_up") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["10.0.0.8", "192.0.2.1", "::ffff:10.0.0.8", "2001:db8::1"])
def test_another_client_is_refused_without_a_token_even_if_it_claims_to_be_forwarded_for_loopback(
    address: str,
) -> None:
    response = Client().get("/metrics", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/permission-denied"


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="s3cret-token")
@pytest.mark.parametrize(
    ("authorization", "problem"),
    [
        (None, "not-authenticated"),
        ("Bearer wrong", "authentication-failed"),
        ("Token s3cret-token", "not-authenticated"),
    ],
)
def test_with_a_token_set_every_client_needs_the_bearer_token(authorization: str | None, problem: str) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", **headers)

    assert response.status_code == 401
    assert response.json()["type"] == f"/problems/{problem}"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="s3cret-token")
def test_with_the_bearer_token_any_client_reads_the_metrics() -> None:
    samples = scrape(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token")

    assert value(samples, "reportflow_statistics_up") == 1


def test_metrics_answer_only_to_get(db: None) -> None:
    assert Client().post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


def test_an_upload_moves_the_counters_and_the_database_gauges(upload: Any, run_worker: Any) -> None:
    before = scrape()

    assert upload().status_code == 202
    run_worker()
    after = scrape()

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    kind = {"kind": "report.process", "queue": "default"}
    ended = {**kind, "status": "succeeded"}
    assert moved("reportflow_jobs_submitted_total", **kind) == 1
    assert moved("reportflow_jobs_ended_total", **ended) == 1
    assert moved("reportflow_job_run_seconds_count", **ended) == 1
    assert value(after, "reportflow_jobs", **ended) == 1
    assert value(after, "reportflow_outbox_backlog") == 0


def test_requests_are_counted_by_url_pattern_name_not_by_path(alice: APIClient, upload: Any) -> None:
    job_url = upload().headers["Location"]
    before = scrape()

    alice.get(job_url)
    alice.get("/api/v1/no-such-thing/")
    after = scrape()

    def moved(**labels: str) -> float:
        return value(after, "reportflow_http_requests_total", **labels) - value(
            before, "reportflow_http_requests_total", **labels
        )

    assert moved(route="api:job-detail", method="GET", status="200") == 1
    assert moved(route="unmatched", method="GET", status="404") == 1
    assert not [name for name, labels in after if any(job_url.split("/")[-2] in v for _, v in labels)]


def test_a_database_that_does_not_answer_leaves_the_scrape_standing(db: None) -> None:
    def unavailable() -> EngineGauges:
        raise ConnectionError("the database is away")

    with container.read_engine_gauges.override(unavailable):
        samples = scrape()

    assert value(samples, "reportflow_statistics_up") == 0
    assert not [name for name, _ in samples if name == "reportflow_jobs"]
