from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from adapters.orm.models import ReportRecord
from adapters.orm.small_blobs import KEY_PREFIX, SmallBlobsInDatabase
from application.reports.submit import ReportIntake
from config.container import container

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
    assert result["Content-Type"] == "application/json"
    body = json.loads(b"".join(result.streaming_content))
    assert body["schema_version"] == 2
    assert [(c["name"], c["type"], c["count"], c["nulls"]) for c in body["columns"]] == [
        ("city", "string", 2, 0),
        ("country", "string", 2, 0),
    ]
    assert [v["value"] for v in body["columns"][1]["top_values"]] == ["FR", "NA"], "NA is a value, not a null"
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
    assert job["error"] == "the file is a PNG image, not a report (CSV, TSV, JSON Lines, Parquet or XLSX)"


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


def test_a_declared_schema_is_checked_against_every_row(upload: Any, alice: APIClient, run_worker: Any) -> None:
    schema = {"columns": [{"name": "n", "type": "integer", "min": 0}]}
    accepted = upload(b"n\n1\n-5\nx\n", schema=json.dumps(schema)).json()

    run_worker()

    report = alice.get(accepted["links"]["report"]).json()
    result = json.loads(b"".join(alice.get(report["links"]["result"]).streaming_content))
    assert report["status"] == "succeeded"
    lines = sorted(v["line"] for v in result["schema_check"]["violations"])
    assert lines == [3, 4]


@pytest.mark.parametrize(
    ("schema", "problem_type"),
    [
        ("not json", "/problems/validation-error"),
        ("[1, 2]", "/problems/validation-error"),
        (json.dumps({"columns": [{"name": "n", "type": "no-such-type"}]}), "/problems/invalid-schema"),
    ],
)
def test_an_invalid_declared_schema_is_a_400_problem_and_stores_nothing(
    upload: Any, alice: APIClient, schema: str, problem_type: str
) -> None:
    response = upload(schema=schema)

    assert response.status_code == 400
    assert response.json()["type"] == problem_type
    assert alice.get("/api/v1/jobs/").json()["results"] == []


def test_the_html_report_escapes_what_came_from_the_file_and_forbids_scripts(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload(b'name,"<script>alert(1)</script>"\n<img src=x onerror=alert(1)>,"=HYPERLINK(""x"")"\n').json()
    run_worker()
    report = alice.get(accepted["links"]["report"]).json()

    response = alice.get(report["links"]["html"])

    html = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = [directive.strip() for directive in response["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy
    assert {"frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'", "sandbox"} <= set(policy)
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_the_html_report_is_a_409_problem_until_the_job_is_done(upload: Any, alice: APIClient) -> None:
    accepted = upload().json()
    report = alice.get(accepted["links"]["report"]).json()

    assert alice.get(report["links"]["html"]).status_code == 409


@pytest.mark.parametrize("kept_in", ["database", "files"])
def test_each_document_answers_its_own_bytes_of_the_blob_the_four_share(
    upload: Any, alice: APIClient, run_worker: Any, kept_in: str
) -> None:
    limit = settings.DATABASE_DOCUMENTS_BYTES if kept_in == "database" else 0
    with container.blobs.override(SmallBlobsInDatabase(container.files(), limit=limit)):
        accepted = upload().json()
        run_worker()
        links = alice.get(accepted["links"]["report"]).json()["links"]
    keys = {part["key"] for part in ReportRecord.objects.get(id=accepted["report_id"]).documents.values()}
    assert len(keys) == 1 and next(iter(keys)).startswith(KEY_PREFIX) == (kept_in == "database")

    bodies, names = {}, {}
    for name in ("result", "html", "columns_csv", "violations_csv"):
        response = alice.get(links[name])
        bodies[name] = b"".join(response.streaming_content)
        names[name] = response["Content-Disposition"]
        assert (response.status_code, int(response["Content-Length"])) == (200, len(bodies[name])), name

    assert json.loads(bodies["result"])["summary"]["rows"] == 2
    assert bodies["html"].startswith(b"<!DOCTYPE html>") and bodies["html"].endswith(b"</html>")
    assert bodies["columns_csv"].startswith(b"name,type,") and bodies["columns_csv"].count(b"\r\n") == 3
    assert bodies["violations_csv"] == b"line,column,rule,value,message\r\n"
    report_id = accepted["report_id"]
    assert names == {
        "result": f'inline; filename="report-{report_id}-result.json"',
        "html": f'inline; filename="report-{report_id}-report.html"',
        "columns_csv": f'attachment; filename="report-{report_id}-columns.csv"',
        "violations_csv": f'attachment; filename="report-{report_id}-violations.csv"',
    }


def test_exported_tables_neutralise_spreadsheet_formulas(upload: Any, alice: APIClient, run_worker: Any) -> None:
    schema = {"columns": [{"name": "=cmd|' /C calc'!A0", "type": "integer"}]}
    accepted = upload(b"=cmd|' /C calc'!A0\n@SUM(1)\n", schema=json.dumps(schema)).json()
    run_worker()
    report = alice.get(accepted["links"]["report"]).json()

    columns = alice.get(report["links"]["columns_csv"])
    violations = alice.get(report["links"]["violations_csv"])

    columns_text = b"".join(columns.streaming_content).decode()
    violations_text = b"".join(violations.streaming_content).decode()
    assert columns["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in columns["Content-Disposition"]
    assert "\n=cmd" not in columns_text and "'=cmd" in columns_text
    assert "@SUM(1)" in violations_text and ",@SUM" not in violations_text


def test_a_chunked_upload_is_a_411_problem_not_a_missing_file(alice: APIClient, task_queue: InMemoryTaskQueue) -> None:
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na\n1\n\r\n--x--\r\n'

    # as a WSGI server hands Django a chunked request: the header, and no Content-Length
    response = alice.generic(
        "POST",
        "/api/v1/reports/",
        data=body,
        content_type="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )

    assert response.status_code == 411
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/length-required"
    assert "Content-Length" in response.json()["detail"]
    assert task_queue.deliveries == []


def test_form_data_django_refuses_is_a_400_problem(alice: APIClient) -> None:
    with container.intake.override(ReportIntake(max_upload_bytes=50 * 1024 * 1024)):
        big_field = alice.post(
            "/api/v1/reports/",
            {"file": SimpleUploadedFile("a.csv", b"a\n1\n"), "name": "x" * (3 * 1024 * 1024)},
            format="multipart",
        )
        many_fields = alice.post(
            "/api/v1/reports/",
            {"file": SimpleUploadedFile("a.csv", b"a\n1\n"), **{f"f{i}": "1" for i in range(1100)}},
            format="multipart",
        )

    for response, detail in [(big_field, "too large"), (many_fields, "too many form fields")]:
        assert response.status_code == 400
        assert response["Content-Type"] == PROBLEM
        assert response.json()["type"] == "/problems/bad-request"
        assert detail in response.json()["detail"]


def test_an_unknown_host_is_a_400_problem(alice: APIClient) -> None:
    response = alice.get("/api/v1/jobs/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/bad-request"
