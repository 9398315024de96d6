from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

PROBLEM = "application/problem+json"


def test_jobs_are_listed_newest_first_with_a_cursor_to_the_next_page(upload: Any, alice: APIClient) -> None:
    ids = [upload().json()["id"] for _ in range(5)]

    first = alice.get("/api/v1/jobs/", {"limit": 2}).json()
    second = alice.get(first["next"]).json()
    third = alice.get(second["next"]).json()

    assert [j["id"] for j in first["results"] + second["results"] + third["results"]] == list(reversed(ids))
    assert third["next"] is None
    assert "limit=2" in first["next"]


def test_jobs_can_be_filtered_by_status_and_kind(upload: Any, alice: APIClient, run_worker: Any) -> None:
    upload()
    run_worker()
    queued = upload().json()["id"]

    by_status = alice.get("/api/v1/jobs/", {"status": "queued"}).json()["results"]
    by_kind = alice.get("/api/v1/jobs/", {"kind": "report.process"}).json()["results"]
    other_kind = alice.get("/api/v1/jobs/", {"kind": "other"}).json()["results"]

    assert [j["id"] for j in by_status] == [queued]
    assert len(by_kind) == 2
    assert other_kind == []


@pytest.mark.parametrize(
    ("query", "problem_type"),
    [
        ({"status": "exploded"}, "/problems/validation-error"),
        ({"limit": "0"}, "/problems/validation-error"),
        ({"limit": "many"}, "/problems/validation-error"),
        ({"cursor": "not-a-cursor"}, "/problems/invalid-cursor"),
    ],
)
def test_bad_list_parameters_are_400_problems(alice: APIClient, query: dict[str, str], problem_type: str) -> None:
    response = alice.get("/api/v1/jobs/", query)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == problem_type


def test_an_unknown_job_and_a_malformed_id_are_404_problems(alice: APIClient) -> None:
    unknown = alice.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    malformed = alice.get("/api/v1/jobs/not-a-uuid/")

    assert unknown.status_code == malformed.status_code == 404
    assert unknown["Content-Type"] == malformed["Content-Type"] == PROBLEM


@pytest.mark.parametrize("header", [None, "Token wrong", "Bearer abc", "Token"])
def test_requests_without_a_valid_token_are_401_problems(db: None, header: str | None) -> None:
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/jobs/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_method_is_a_405_problem(alice: APIClient) -> None:
    response = alice.delete("/api/v1/jobs/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM


def test_probes_and_the_openapi_schema_answer_without_a_token(db: None) -> None:
    client = APIClient()

    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert b"/api/v1/reports/" in client.get("/api/schema/").content


def test_a_fanned_out_reports_chunk_jobs_are_listed_as_its_children(upload_fanned_out: Any, alice: APIClient) -> None:
    accepted = upload_fanned_out()

    job = alice.get(accepted["links"]["self"]).json()
    children = alice.get(job["links"]["children"]).json()["results"]
    assert job["status"] == "succeeded"
    assert (
        job["children_total"] == job["children_done"] == len([c for c in children if c["kind"] == "report.chunk"]) > 1
    )
    assert {c["links"]["parent"] for c in children} == {job["links"]["self"]}
    assert sorted({c["kind"] for c in children}) == ["report.chunk", "report.merge"]
    report = alice.get(accepted["links"]["report"]).json()
    assert report["summary"] == {"rows": 300, "columns": 2}
