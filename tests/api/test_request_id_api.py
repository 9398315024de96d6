"""Every response echoes a request id, every log line of the request carries it, and the jobs
the request creates keep it for the worker's lines."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import structlog
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from adapters.observability import logs
from adapters.orm.models import ApiTokenRecord, JobEventRecord, JobRecord


def request_lines(log_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in log_lines if line["logger"] == "reportflow.http" and line["event"] == "request"]


def test_a_callers_request_id_is_echoed_logged_and_kept_by_the_job_it_creates(
    alice: APIClient,
    task_queue: InMemoryTaskQueue,
    log_lines: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(
            "/api/v1/reports/",
            {"file": SimpleUploadedFile("data.csv", b"a,b\n1,2\n")},
            format="multipart",
            HTTP_X_REQUEST_ID="upload-42",
        )

    assert response.status_code == 202
    assert response["X-Request-ID"] == "upload-42"
    [line] = request_lines(log_lines)
    token = ApiTokenRecord.objects.get()
    assert line["request_id"] == "upload-42"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/api/v1/reports/", 202)
    assert (line["user_id"], line["token_id"]) == (token.user_id, str(token.id))
    assert token.token_key not in str(line), "a token is named by its id, never by its key"
    assert JobRecord.objects.get(id=response.json()["id"]).correlation == {"request_id": "upload-42"}
    [delivery] = task_queue.deliveries
    assert delivery.correlation == {"request_id": "upload-42", "user_id": str(token.user_id)}
    assert structlog.contextvars.get_contextvars() == {}, "nothing leaks into the next request"


@pytest.mark.parametrize("sent", [None, "", "x" * 129, "bad id", "id\u00e9", "-starts-with-a-dash", "a;b"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(alice: APIClient, sent: str | None) -> None:
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}

    first = alice.get("/api/v1/jobs/", **headers)
    second = alice.get("/api/v1/jobs/", **headers)

    assert first["X-Request-ID"] != sent
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"].isalnum()
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_errors_and_unauthenticated_requests_echo_their_request_id_too(client: Any, db: None) -> None:
    response = client.get("/api/v1/jobs/", HTTP_X_REQUEST_ID="r-401")

    assert response.status_code == 401
    assert response["X-Request-ID"] == "r-401"


def test_djangos_own_line_about_a_client_error_names_the_request_by_its_id(
    client: Any, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="django.request")

    client.get("/api/v1/jobs/", HTTP_X_REQUEST_ID="r-401")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    options = dict(logs.formatter("json"))
    line = json.loads(options.pop("()")(**options).format(record))
    assert (line["request_id"], line["request"], line["status_code"]) == ("r-401", "GET /api/v1/jobs/", 401)


def test_audit_events_of_user_actions_record_the_request_and_the_token_but_never_the_key(
    alice: APIClient, upload: Any
) -> None:
    job_id = upload().json()["id"]

    alice.post(f"/api/v1/jobs/{job_id}/cancel/", HTTP_X_REQUEST_ID="cancel-1")

    token = ApiTokenRecord.objects.get()
    accepted, cancelled = JobEventRecord.objects.filter(job_id=job_id).order_by("seq")
    assert accepted.token_id == cancelled.token_id == str(token.id)
    assert cancelled.request_id == "cancel-1" and accepted.request_id not in ("", "cancel-1")
