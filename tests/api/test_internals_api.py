"""No internals to API clients: tracebacks, worker hosts and server paths are for staff only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from adapters.analysis.report_engine import ProfilingReportEngine
from adapters.memory import InMemoryTaskQueue
from config.container import container
from domain.profile import ProfileResult
from tests.api.conftest import client_for, relay_due_retries

WORKER = "celery@build-host-7.internal"
INTERNAL_HOSTS = ("build-host-7", "minio.internal", "10.0.3.7")


class LeakyFailure(ProfilingReportEngine):
    """Fails the way infrastructure does: the message names the server's path and hosts."""

    def analyze_path(self, path: str, **_: Any) -> ProfileResult:
        raise OSError(f"cannot read {path} (mirror http://minio.internal:9000/uploads, replica 10.0.3.7)")


def fail_until_dead(client: APIClient, upload: Any, run_worker: Any, task_queue: InMemoryTaskQueue) -> Any:
    accepted = upload(client=client).json()
    with container.report_engine.override(LeakyFailure()):
        while task_queue.deliveries:
            run_worker(worker=WORKER)
            relay_due_retries()
    return accepted


def everything_a_client_reads(client: APIClient, accepted: dict[str, Any]) -> dict[str, Any]:
    """Every representation of the job and its report that the API answers, by endpoint."""
    job = client.get(accepted["links"]["self"]).json()
    return {
        "job": job,
        "jobs": client.get("/api/v1/jobs/").json(),
        "events": client.get(job["links"]["events"]).json(),
        "dead letters": client.get("/api/v1/dead-letters/").json(),
        "report": client.get(job["links"]["report"]).json(),
        "result problem": client.get(job["links"]["report"] + "result/").json(),
        "html problem": client.get(job["links"]["report"] + "report.html").json(),
        "cancel problem": client.post(job["links"]["cancel"]).json(),
    }


@pytest.fixture
def staff(db: None, task_queue: InMemoryTaskQueue) -> APIClient:
    client = client_for("ops")
    get_user_model().objects.filter(username="ops").update(is_staff=True)
    return client


def test_a_client_never_sees_a_traceback_a_worker_host_or_a_server_path(
    upload: Any, alice: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue, settings: Any
) -> None:
    accepted = fail_until_dead(alice, upload, run_worker, task_queue)

    seen = everything_a_client_reads(alice, accepted)

    text = json.dumps(seen)
    assert seen["job"]["status"] == "dead"
    assert seen["job"]["error"].startswith("OSError: cannot read "), "the error's type and message"
    assert "error_detail" not in seen["job"]
    assert "Traceback" not in text and 'File \\"' not in text
    assert str(settings.MEDIA_ROOT) not in text and str(settings.ENV.var_dir) not in text
    assert not any(host in text for host in INTERNAL_HOSTS), text
    alice_id = get_user_model().objects.get(username="alice").pk
    assert {e["actor"] for e in seen["events"]["results"]} == {f"user:{alice_id}", "worker"}


def test_staff_see_the_traceback_and_the_worker_of_their_jobs(
    upload: Any, staff: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    accepted = fail_until_dead(staff, upload, run_worker, task_queue)

    seen = everything_a_client_reads(staff, accepted)

    assert "Traceback" in seen["job"]["error_detail"]
    assert "minio.internal" in seen["job"]["error"]
    assert f"worker:{WORKER}" in {e["actor"] for e in seen["events"]["results"]}
    assert "Traceback" in seen["dead letters"]["results"][0]["error_detail"]
    assert "Traceback" in seen["report"]["job"]["error_detail"]


def test_the_answers_to_cancel_and_retry_hide_the_traceback_from_clients(
    upload: Any, alice: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    accepted = fail_until_dead(alice, upload, run_worker, task_queue)

    retried = alice.post(accepted["links"]["retry"]).json()
    cancelled = alice.post(accepted["links"]["cancel"]).json()

    assert retried["status"] == "queued" and cancelled["status"] == "cancelled"
    assert "error_detail" not in retried and "error_detail" not in cancelled
    assert not any(host in json.dumps([retried, cancelled]) for host in INTERNAL_HOSTS)
