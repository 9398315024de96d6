from __future__ import annotations

import pytest

from application.jobs.disclosure import REDACTED, client_text
from application.jobs.get_job import GetJob, GetJobEventsHandler, GetJobHandler
from domain.job_status import JobStatus
from tests.unit.application.conftest import World

HOST = "celery@build-7.internal"


def lose_worker(world: World, worker: str = HOST) -> object:
    """A job whose worker claimed it, died, and whose lease the reconciler then expired."""
    submitted = world.submit()
    with world.uow as uow:
        job = uow.jobs.get(submitted.job.id)
        assert job is not None
        job.start(now=world.clock.now(), worker=worker, lease_seconds=world.settings.lease_seconds)
        uow.jobs.save(job)
        uow.commit()
    world.clock.advance(world.settings.lease_seconds + 1)
    world.reconcile()
    return submitted.job.id


def test_a_client_sees_a_lost_workers_error_without_the_workers_host(world: World) -> None:
    job_id = lose_worker(world)

    client = GetJobHandler(uow=world.uow)(GetJob(owner_id=1, job_id=job_id))
    staff = GetJobHandler(uow=world.uow)(GetJob(owner_id=1, job_id=job_id, is_staff=True))

    assert client.status is JobStatus.RETRYING
    assert HOST not in client.error and "build-7" not in client.error
    assert client.error == f"worker {REDACTED} stopped renewing its lease during attempt 1"
    assert HOST in staff.error


def test_a_clients_audit_trail_names_workers_without_their_host(world: World) -> None:
    job_id = lose_worker(world)
    world.clock.advance(60)
    world.relay()
    world.run_queue()  # the next attempt runs on worker w1

    client = GetJobEventsHandler(uow=world.uow)(GetJob(owner_id=1, job_id=job_id))
    staff = GetJobEventsHandler(uow=world.uow)(GetJob(owner_id=1, job_id=job_id, is_staff=True))

    assert [e.actor for e in client] == ["user:1", "worker", "system:reconciler", "worker", "worker"]
    assert [e.actor for e in staff] == ["user:1", f"worker:{HOST}", "system:reconciler", "worker:w1", "worker:w1"]
    assert all(HOST not in e.message and "build-7" not in str(e.data) for e in client)
    assert any(HOST in e.message for e in staff)


def test_only_staff_see_a_failures_traceback(world: World) -> None:
    submitted = world.submit()
    world.fail_next(ValueError("boom"))
    world.process(submitted.job.id, attempt=1)

    client = GetJobHandler(uow=world.uow)(GetJob(owner_id=1, job_id=submitted.job.id))
    staff = GetJobHandler(uow=world.uow)(GetJob(owner_id=1, job_id=submitted.job.id, is_staff=True))

    assert client.error == staff.error == "ValueError: boom", "the error's type and message"
    assert client.error_detail is None
    assert staff.error_detail is not None and "Traceback" in staff.error_detail


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "OSError: [Errno 5] Input/output error: '/srv/reportflow/var/media/uploads/ab/data.csv'",
            f"OSError: [Errno 5] Input/output error: '{REDACTED}'",
        ),
        ("could not reach http://minio.internal:9000/bucket/key", f"could not reach {REDACTED}"),
        (
            'connection to server at "10.0.3.7", port 5432 failed',
            f'connection to server at "{REDACTED}", port 5432 failed',
        ),
        ("lost on worker1@ip-10-0-3-7.eu-west-1.compute.internal", f"lost on {REDACTED}"),
        ("polars: No such file (os error 2): /tmp/rf-x1/chunk.csv", f"polars: No such file (os error 2): {REDACTED}"),
    ],
)
def test_a_clients_error_message_hides_paths_urls_hosts_and_addresses(text: str, shown: str) -> None:
    assert client_text(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "line 3: a quoted field opens here and never closes (unbalanced quotes)",
        "the file has 10,000 columns; at most 1,000 are supported",
        "line 30002: byte 0xeb is not valid utf-8 text",
        "handed back: the worker is stopping (SIGTERM)",
        "chunk 1/2 cannot be read: expected 3 fields, saw 2",
        "the file is a PNG image, not a report (CSV, TSV, JSON Lines, Parquet or XLSX)",
    ],
)
def test_a_clients_error_message_keeps_what_names_no_internal(text: str) -> None:
    assert client_text(text) == text


def test_a_known_worker_name_is_hidden_only_where_it_stands_alone() -> None:
    text = "worker w1 stopped; row w12 and w1x are data"

    assert client_text(text, workers=["w1"]) == f"worker {REDACTED} stopped; row w12 and w1x are data"
