from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue

PROBLEM = "application/problem+json"


def test_an_upload_is_accepted_with_202_and_the_location_of_its_job(
    upload: Any, alice: APIClient, task_queue: InMemoryTaskQueue
) -> None:
    response = upload(name="Q3 sales")

    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["links"]["self"]
    assert body["status"] == "queued"
    assert body["attempts"] == 0
    assert body["kind"] == "report.process"
    assert [str(d.job_id) for d in task_queue.deliveries] == [body["id"]]
    job = alice.get(response["Location"])
    assert job.status_code == 200
    assert job.json()["id"] == body["id"]
    report = alice.get(body["links"]["report"]).json()
    assert (report["name"], report["filename"], report["size_bytes"]) == ("Q3 sales", "data.csv", 11)


def test_a_processed_report_shows_its_result_summary_and_audit_trail(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload(b"city,country\nParis,FR\nWindhoek,NA\n").json()

    run_worker()

    report = alice.get(accepted["links"]["report"]).json()
    result = alice.get(report["links"]["result"])
    events = alice.get(accepted["links"]["events"]).json()["results"]
    assert report["status"] == "succeeded"
    assert report["summary"] == {"rows": 2, "columns": 2}
    assert result.status_code == 200
    assert result.json()["columns"] == [{"name": "city", "non_empty": 2}, {"name": "country", "non_empty": 2}]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "queued"),
        ("queued", "running"),
        ("running", "succeeded"),
    ]


def test_the_result_is_a_409_problem_until_the_job_is_done(upload: Any, alice: APIClient) -> None:
    accepted = upload().json()
    report = alice.get(accepted["links"]["report"]).json()

    response = alice.get(report["links"]["result"])

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/result-not-ready"
    assert response.json()["job_status"] == "queued"


def test_a_file_that_is_not_text_fails_the_job_with_a_clear_error(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").json()

    run_worker()

    job = alice.get(accepted["links"]["self"]).json()
    assert job["status"] == "failed"
    assert job["error"] == "the file is binary, not CSV text"


def test_another_users_report_and_job_are_404_not_403(upload: Any, bob: APIClient) -> None:
    accepted = upload().json()

    assert bob.get(accepted["links"]["self"]).status_code == 404
    assert bob.get(accepted["links"]["events"]).status_code == 404
    assert bob.get(accepted["links"]["report"]).status_code == 404
    assert bob.get(accepted["links"]["report"] + "result/").status_code == 404
    assert bob.get("/api/v1/jobs/").json()["results"] == []


def test_an_upload_over_the_limit_is_a_413_problem_and_stores_nothing(
    alice: APIClient, task_queue: InMemoryTaskQueue, settings: Any
) -> None:
    too_big = b"a\n" + b"1\n" * (settings.MAX_UPLOAD_BYTES // 2 + 1)

    response = alice.post("/api/v1/reports/", {"file": SimpleUploadedFile("big.csv", too_big)}, format="multipart")

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/upload-too-large"
    assert response.json()["limit_bytes"] == settings.MAX_UPLOAD_BYTES
    assert task_queue.deliveries == []
    assert alice.get("/api/v1/jobs/").json()["results"] == []


def test_a_declared_content_length_over_the_limit_is_refused_before_reading(alice: APIClient, settings: Any) -> None:
    response = alice.generic(
        "POST",
        "/api/v1/reports/",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.MAX_UPLOAD_BYTES * 10),
    )

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("data", "format_", "field"),
    [
        ({}, "multipart", "file"),
        ({"file": "not a file"}, "multipart", "file"),
        ({"file": "x"}, "json", "file"),
    ],
)
def test_a_request_without_a_file_is_a_400_problem_naming_the_field(
    alice: APIClient, data: dict[str, Any], format_: str, field: str
) -> None:
    response = alice.post("/api/v1/reports/", data, format=format_)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/validation-error"
    assert field in response.json()["errors"]


def test_an_empty_file_is_a_400_problem(alice: APIClient) -> None:
    response = alice.post("/api/v1/reports/", {"file": SimpleUploadedFile("e.csv", b"")}, format="multipart")

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/empty-upload"


def test_a_malformed_multipart_body_is_a_400_problem(alice: APIClient) -> None:
    response = alice.generic("POST", "/api/v1/reports/", data=b"garbage", content_type="multipart/form-data; boundary=")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_a_client_file_name_cannot_choose_where_the_file_is_stored(
    upload: Any, alice: APIClient, settings: Any
) -> None:
    response = alice.post(
        "/api/v1/reports/",
        {"file": SimpleUploadedFile("../../../etc/passwd", b"a\n1\n")},
        format="multipart",
    )

    assert response.status_code == 202
    stored = list((settings.MEDIA_ROOT / "uploads").rglob("*"))
    assert all(str(path).startswith(str(settings.MEDIA_ROOT)) for path in stored)
