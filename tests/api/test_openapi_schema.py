"""The API description works: it generates cleanly, names things well, documents every
answer, and the responses on the wire are the ones it describes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.api.problems import problem_type_uris
from adapters.memory import InMemoryTaskQueue
from tests.api.test_job_actions_api import make_dead

ROOT = Path(__file__).resolve().parents[2]
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_schema_generates_without_a_single_warning_and_validates(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}

    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "s.yaml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert "Warning" not in done.stderr, done.stderr[-3000:]


def test_the_uploads_file_is_binary_so_try_it_out_can_send_one(schema: dict[str, Any]) -> None:
    body = schema["paths"]["/api/v1/reports/"]["post"]["requestBody"]["content"]["multipart/form-data"]
    upload = schema["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[-1]]

    assert upload["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": upload["properties"]["file"]["description"],
    }
    assert upload["required"] == ["file"]


def test_every_operation_id_is_unique_and_meaningful(schema: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(schema)]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)+", operation_id) for operation_id in ids), ids


def test_components_have_names_a_reader_understands(schema: dict[str, Any]) -> None:
    names = list(schema["components"]["schemas"])

    assert all(re.fullmatch(r"[A-Z][a-zA-Z]+", name) for name in names), names
    assert not [name for name in names if "Inline" in name or name.endswith(("Output", "Serializer", "Enum"))]
    assert {"Job", "JobLinks", "JobEvent", "Report", "ReportLinks", "Problem", "ReportUploadRequest"} <= set(names)


def test_every_problem_type_is_documented(schema: dict[str, Any]) -> None:
    documented = schema["components"]["schemas"]["ProblemType"]["enum"]

    assert documented == problem_type_uris()


def test_every_operation_documents_the_problems_it_can_answer(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        where = f"{method.upper()} {path}"
        assert "406" in codes, where
        if "{" in path:
            assert "404" in codes, where
        if {"tokenAuth": []} in operation.get("security", []):
            assert "401" in codes, where
        # the web server's own refusal of an over-long request line, before the API sees it
        assert set(operation["responses"]["414"]["content"]) == {"text/html"}, where
        for code, response in operation["responses"].items():
            if code >= "400" and code != "414":
                assert set(response["content"]) == {"application/problem+json"}, where
                assert "/problems/" in response["description"], where
    upload = schema["paths"]["/api/v1/reports/"]["post"]["responses"]
    assert {"400", "401", "409", "411", "413", "415", "422"} <= set(upload)
    result = schema["paths"]["/api/v1/reports/{report_id}/result/"]["get"]["responses"]
    assert "result-unavailable" in result["409"]["description"]
    signed = schema["paths"]["/api/v1/reports/{report_id}/signed/report.html"]["get"]
    assert signed["security"] == [{"signedLink": []}]
    assert {"403", "410"} <= set(signed["responses"]) and "401" not in signed["responses"]


def test_every_operation_that_reads_a_body_documents_what_parsing_it_can_refuse(schema: dict[str, Any]) -> None:
    readers = [(path, method, op) for path, method, op in operations(schema) if "requestBody" in op]

    assert len(readers) >= 7
    for path, method, operation in readers:
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert {"400", "415"} <= set(responses), where
        for slug in ("validation-error", "malformed-request", "bad-request"):
            assert f"/problems/{slug}" in responses["400"]["description"], where


def test_the_headers_a_client_relies_on_are_documented(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    submit = paths["/api/v1/reports/"]["post"]
    created = [paths["/api/v1/schedules/"]["post"], paths["/api/v1/webhooks/"]["post"]]

    key = submit["parameters"][0]
    assert (key["in"], key["name"], key.get("required", False)) == ("header", "Idempotency-Key", False)
    assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
    assert submit["responses"]["202"]["headers"]["Location"]["required"] is True
    assert all(operation["responses"]["201"]["headers"]["Location"]["required"] is True for operation in created)
    for code, names in {
        "202": {"RateLimit", "RateLimit-Policy"},
        "429": {"RateLimit", "RateLimit-Policy", "Retry-After"},
    }.items():
        headers = submit["responses"][code]["headers"]
        assert names == set(headers) - {"Location"}, code
        assert not any(headers[name].get("required") for name in names), "present only while a limit applies"
    assert "/problems/rate-limited" in submit["responses"]["429"]["description"]


def conforms(body: Any, schema: dict[str, Any], components: dict[str, Any], where: str = "") -> None:
    """Every key of `body` is documented, and every required one is present, all the way down."""
    nullable = False
    while "$ref" in schema or "allOf" in schema:
        nullable = nullable or schema.get("nullable", False)
        schema = components[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema["allOf"][0]
    if body is None:
        assert nullable or schema.get("nullable"), f"{where}: null but not nullable"
    elif schema.get("type") == "array":
        for i, item in enumerate(body):
            conforms(item, schema["items"], components, f"{where}[{i}]")
    elif "properties" in schema:
        assert set(body) <= set(schema["properties"]), f"{where}: undocumented {set(body) - set(schema['properties'])}"
        assert set(schema.get("required", [])) <= set(body), f"{where}: missing {set(schema['required']) - set(body)}"
        for key, value in body.items():
            conforms(value, schema["properties"][key], components, f"{where}.{key}")
    elif "enum" in schema:
        assert body in schema["enum"], f"{where}: {body!r} not in its enum"


def test_the_responses_on_the_wire_are_the_ones_the_schema_describes(
    upload: Any, alice: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue, schema: dict[str, Any]
) -> None:
    components = schema["components"]["schemas"]
    make_dead(upload, run_worker, task_queue)
    accepted = upload()
    run_worker()
    job = alice.get(accepted["Location"]).json()
    report = alice.get(job["links"]["report"]).json()

    answers = {
        "Job": [accepted.json(), job],
        "JobPage": [alice.get("/api/v1/jobs/", {"limit": 1}).json()],
        "JobEventList": [alice.get(job["links"]["events"]).json()],
        "DeadLetterPage": [alice.get("/api/v1/dead-letters/").json()],
        "Report": [report],
        "Problem": [
            alice.get("/api/v1/jobs/", {"limit": 0}).json(),
            alice.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").json(),
            alice.post(job["links"]["cancel"]).json(),
            APIClient().get("/api/v1/jobs/").json(),
        ],
    }

    for component, bodies in answers.items():
        for body in bodies:
            conforms(body, {"$ref": f"#/components/schemas/{component}"}, components, component)
    assert {"html_signed", "result"} <= set(report["links"])


def test_the_root_sends_a_browser_to_the_docs_and_gives_other_clients_links(db: None) -> None:
    browser = APIClient().get("/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    client = APIClient().get("/", HTTP_ACCEPT="*/*")

    assert browser.status_code == 302
    assert browser["Location"].endswith("/api/docs/")
    assert client.status_code == 200
    links = client.json()["links"]
    assert links["docs"].endswith("/api/docs/") and links["upload"].endswith("/api/v1/reports/")
    assert APIClient().get(links["schema"]).status_code == 200
