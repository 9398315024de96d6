"""A job links to its report: a client that follows Location and links reaches the result."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from tests.api.test_job_actions_api import make_dead

RESULT_LINKS = {"result", "html", "columns_csv", "violations_csv"}


def test_a_client_that_follows_location_and_links_reaches_the_result(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload()
    run_worker()

    job = alice.get(accepted["Location"]).json()
    result = alice.get(job["links"]["result"])
    report = alice.get(job["links"]["report"]).json()

    assert job["status"] == "succeeded"
    assert job["report_id"] == report["id"]
    assert result.status_code == 200
    assert json.loads(b"".join(result.streaming_content))["summary"]["rows"] == 2
    assert alice.get(job["links"]["html"]).status_code == 200
    assert alice.get(job["links"]["columns_csv"]).status_code == 200
    assert alice.get(job["links"]["violations_csv"]).status_code == 200


def test_a_report_job_links_to_its_report_at_once_and_to_the_result_only_once_it_succeeded(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload().json()
    report_url = accepted["links"]["report"]

    waiting = [
        alice.get(accepted["links"]["self"]).json(),
        alice.get("/api/v1/jobs/").json()["results"][0],
    ]
    run_worker()
    done = [
        alice.get(accepted["links"]["self"]).json(),
        alice.get("/api/v1/jobs/").json()["results"][0],
    ]

    for job in [accepted, *waiting, *done]:
        assert job["report_id"] == report_url.rstrip("/").rsplit("/", 1)[-1]
        assert job["links"]["report"] == report_url
    assert all(RESULT_LINKS.isdisjoint(job["links"]) for job in [accepted, *waiting])
    assert all(set(job["links"]) >= RESULT_LINKS for job in done)


def test_cancel_and_retry_answers_link_to_the_report(
    upload: Any,
    alice: APIClient,
    run_worker: Any,
    task_queue: InMemoryTaskQueue,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dead = make_dead(upload, run_worker, task_queue)
    queued = upload().json()

    cancelled = alice.post(queued["links"]["cancel"]).json()
    with django_capture_on_commit_callbacks(execute=True):
        retried = alice.post(dead["links"]["retry"]).json()

    assert cancelled["links"]["report"] == queued["links"]["report"]
    assert retried["links"]["report"] == dead["links"]["report"]
    assert RESULT_LINKS.isdisjoint(cancelled["links"]) and RESULT_LINKS.isdisjoint(retried["links"])


def test_a_dead_letter_links_to_its_report_and_its_replay(
    upload: Any, alice: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    accepted = make_dead(upload, run_worker, task_queue)

    dead = alice.get("/api/v1/dead-letters/").json()["results"][0]

    assert dead["report_id"] == accepted["report_id"]
    assert dead["links"]["report"] == accepted["links"]["report"]
    assert dead["links"]["replay"].endswith(f"/api/v1/dead-letters/{accepted['id']}/replay/")
    assert RESULT_LINKS.isdisjoint(dead["links"])


def test_chunk_and_merge_jobs_link_to_their_report_and_only_the_reports_job_to_its_result(
    upload_fanned_out: Any, alice: APIClient
) -> None:
    accepted = upload_fanned_out()

    job = alice.get(accepted["links"]["self"]).json()
    children = alice.get(job["links"]["children"]).json()["results"]
    child = alice.get(children[0]["links"]["self"]).json()

    assert {c["kind"] for c in children} == {"report.chunk", "report.merge"}
    assert all(c["status"] == "succeeded" for c in children)
    assert {c["report_id"] for c in children} == {job["report_id"]}
    assert {c["links"]["report"] for c in [*children, child]} == {accepted["links"]["report"]}
    assert all(RESULT_LINKS.isdisjoint(c["links"]) for c in [*children, child])
    assert set(job["links"]) >= RESULT_LINKS
