"""Upload over HTTP -> broker -> a real worker process -> result, on both deployments."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import Stack, running_stack, wait_for_job

CSV = b"region,amount,comment\nnorth,10,\nsouth,,late\neast,7,ok\n"


def upload_and_follow(stack: Stack) -> None:
    with stack.client() as client:
        accepted = client.post("/api/v1/reports/", files={"file": ("sales.csv", CSV, "text/csv")})
        assert accepted.status_code == 202, accepted.text
        job_url = accepted.headers["Location"]

        try:
            job = wait_for_job(client, job_url, {"succeeded", "failed", "dead"})
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{stack.log_tail()}") from exc
        links: dict[str, str] = job["links"]  # type: ignore[assignment]
        result = client.get(links["result"]).json()
        report = client.get(links["report"]).json()
        events = client.get(links["events"]).json()["results"]
    # a browser: no Authorization header, only the signed link
    page = httpx.get(report["links"]["html_signed"], headers={"Accept": "text/html"}, timeout=10)

    assert job["status"] == "succeeded", stack.log_tail()
    assert job["attempts"] == 1
    assert report["summary"] == {"rows": 3, "columns": 3}
    assert [(c["name"], c["type"], c["count"]) for c in result["columns"]] == [
        ("region", "string", 3),
        ("amount", "integer", 2),
        ("comment", "string", 2),
    ]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "queued"),
        ("queued", "running"),
        ("running", "succeeded"),
    ]
    assert events[1]["actor"] == "worker", "a client sees no worker host"
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.slow
def test_the_embedded_default_processes_a_report_on_a_separate_worker_process(tmp_path: Path) -> None:
    with running_stack(tmp_path / "var") as stack:
        upload_and_follow(stack)

    assert (tmp_path / "var" / "reportflow.sqlite3").exists()
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_postgres_and_redis_process_a_report_on_a_separate_worker_process(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis) as stack:
        upload_and_follow(stack)

    assert not (tmp_path / "var" / "reportflow.sqlite3").exists()
