from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from adapters.analysis.report_engine import ProfilingReportEngine
from adapters.memory import InMemoryTaskQueue
from config.container import container
from domain.errors import TransientError
from domain.profile import ProfileResult
from tests.api.conftest import client_for, relay_due_retries

PROBLEM = "application/problem+json"


class AlwaysFailing(ProfilingReportEngine):
    def analyze_path(self, path: str, **_: Any) -> ProfileResult:
        raise TransientError("the warehouse is down")


def make_dead(upload: Any, run_worker: Any, task_queue: InMemoryTaskQueue) -> dict[str, Any]:
    """A job that used up its attempts (relayed at once: retries are made due immediately)."""
    accepted = upload().json()
    with container.report_engine.override(AlwaysFailing()):
        for _ in range(10):
            run_worker()
            relay_due_retries()
            if not task_queue.deliveries:
                break
    return accepted


def test_cancelling_a_queued_job_answers_202_with_the_cancelled_job(upload: Any, alice: APIClient) -> None:
    accepted = upload().json()

    response = alice.post(accepted["links"]["cancel"])

    assert response.status_code == 202
    assert response.json()["status"] == "cancelled"
    events = alice.get(accepted["links"]["events"]).json()["results"]
    assert (events[-1]["to_status"], events[-1]["actor"]) == ("cancelled", events[0]["actor"])


def test_cancelling_an_ended_job_is_a_409_problem(upload: Any, alice: APIClient, run_worker: Any) -> None:
    accepted = upload().json()
    run_worker()

    response = alice.post(accepted["links"]["cancel"])

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/invalid-transition"
    assert response.json()["job_status"] == "succeeded"


def test_a_job_that_exhausts_its_attempts_is_listed_in_the_dead_letters_with_its_error(
    upload: Any, alice: APIClient, bob: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    accepted = make_dead(upload, run_worker, task_queue)

    dead = alice.get("/api/v1/dead-letters/").json()["results"]
    others = bob.get("/api/v1/dead-letters/").json()["results"]

    assert [j["id"] for j in dead] == [accepted["id"]]
    assert dead[0]["status"] == "dead"
    assert dead[0]["attempts"] == dead[0]["max_attempts"] == 5
    assert dead[0]["error"] == "the warehouse is down"
    assert "error_detail" not in dead[0], "the traceback is for staff"
    assert others == []


def test_staff_see_every_users_dead_letters(upload: Any, run_worker: Any, task_queue: InMemoryTaskQueue) -> None:
    accepted = make_dead(upload, run_worker, task_queue)
    get_user_model().objects.create(username="ops", is_staff=True)

    dead = client_for("ops").get("/api/v1/dead-letters/").json()["results"]

    assert [j["id"] for j in dead] == [accepted["id"]]
    assert "Traceback" in dead[0]["error_detail"]


def test_replaying_a_dead_letter_requeues_it_and_twice_is_harmless(
    upload: Any,
    alice: APIClient,
    run_worker: Any,
    task_queue: InMemoryTaskQueue,
    django_capture_on_commit_callbacks: Any,
) -> None:
    accepted = make_dead(upload, run_worker, task_queue)
    replay_url = alice.get("/api/v1/dead-letters/").json()["results"][0]["links"]["replay"]

    with django_capture_on_commit_callbacks(execute=True):
        first = alice.post(replay_url)
        second = alice.post(accepted["links"]["retry"])
    run_worker()

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["status"] == second.json()["status"] == "queued"
    assert first.json()["max_attempts"] == 10
    assert alice.get(accepted["links"]["self"]).json()["status"] == "succeeded"
    assert alice.get("/api/v1/dead-letters/").json()["results"] == []
    messages = [e["message"] for e in alice.get(accepted["links"]["events"]).json()["results"]]
    assert messages.count("replayed") == 1


def test_another_users_job_cannot_be_cancelled_or_retried(upload: Any, bob: APIClient) -> None:
    accepted = upload().json()

    assert bob.post(accepted["links"]["cancel"]).status_code == 404
    assert bob.post(accepted["links"]["retry"]).status_code == 404
