"""One upload through a real gunicorn, beat and Celery worker, logging JSON lines: the request
id the client sent comes back on the response, names the web's line about the request and
every worker line about the job (with its job id, attempt and queue), and the idle engine
(the relay every second) writes nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.stack import Stack, running_stack, wait_for_job

REQUEST_ID = "e2e-upload-7f3a"


def json_lines(stack: Stack, name: str) -> list[dict[str, Any]]:
    lines = []
    for line in (stack.logs / f"{name}.log").read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_the_request_id_of_an_upload_names_its_web_line_and_its_worker_lines(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    env = {"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env, web_workers=1, beat=True
    ) as stack:
        with stack.client() as client:
            accepted = client.post(
                "/api/v1/reports/",
                files={"file": ("a.csv", b"a,b\n1,2\n3,4\n", "text/csv")},
                headers={"X-Request-ID": REQUEST_ID},
            )
            assert accepted.status_code == 202, accepted.text
            job = wait_for_job(client, accepted.headers["Location"], {"succeeded", "failed", "dead"})
        time.sleep(3)  # three relay ticks, which must log nothing
        web, worker, beat = json_lines(stack, "web"), json_lines(stack, "worker"), json_lines(stack, "beat")

    assert accepted.headers["X-Request-ID"] == REQUEST_ID
    assert job["status"] == "succeeded"
    [request] = [line for line in web if line.get("request_id") == REQUEST_ID and line["event"] == "request"]
    assert (request["method"], request["path"], request["status"]) == ("POST", "/api/v1/reports/", 202)
    about_the_job = [line for line in worker if line.get("job_id") == job["id"]]
    assert [line["event"] for line in about_the_job] == ["attempt started", "attempt ended"]
    for line in about_the_job:
        assert line["request_id"] == REQUEST_ID
        assert (line["attempt"], line["queue"], line["user_id"]) == (1, job["queue"], str(request["user_id"]))
    assert about_the_job[-1]["outcome"] == "succeeded"
    relay_lines = [line for line in worker + beat if "relay" in json.dumps(line)]
    assert relay_lines == [], "an idle relay logs nothing, nor do Celery and beat about it"
