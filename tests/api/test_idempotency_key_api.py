from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue
from adapters.orm.models import IdempotencyKeyRecord, JobRecord

PROBLEM = "application/problem+json"


def post(client: APIClient, content: bytes = b"a\n1\n", key: str | None = "key-1", **fields: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/reports/", {"file": SimpleUploadedFile("d.csv", content), **fields}, format="multipart", **headers
    )


def test_the_same_key_and_request_replays_the_first_response_without_a_second_job(
    alice: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    first = post(alice)
    run_worker()

    again = post(alice)

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert JobRecord.objects.count() == 1


def test_the_same_key_with_another_file_is_a_422_problem(alice: APIClient) -> None:
    post(alice, b"a\n1\n")

    response = post(alice, b"a\n2\n")

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/idempotency-key-reused"
    assert JobRecord.objects.count() == 1


def test_the_same_key_with_another_name_is_a_422_problem(alice: APIClient) -> None:
    post(alice, name="one")

    assert post(alice, name="two").status_code == 422


def test_a_duplicate_while_the_first_is_in_flight_is_a_409_problem(alice: APIClient) -> None:
    user_id = JobRecord._meta.get_field("owner").related_model.objects.get(username="alice").pk
    first = post(alice)
    IdempotencyKeyRecord.objects.filter(owner_id=user_id).update(response=None)  # as if still in flight

    response = post(alice)

    assert first.status_code == 202
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/idempotency-key-in-flight"


def test_keys_are_per_user(alice: APIClient, bob: APIClient) -> None:
    mine, theirs = post(alice), post(bob)

    assert mine.json()["id"] != theirs.json()["id"]


def test_a_malformed_key_is_a_400_problem(alice: APIClient) -> None:
    response = post(alice, key="x" * 300)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_a_request_that_failed_validation_does_not_burn_its_key(alice: APIClient) -> None:
    empty = post(alice, b"")

    retried = post(alice, b"a\n1\n")

    assert empty.status_code == 400
    assert retried.status_code == 202
