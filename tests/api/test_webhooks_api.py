"""The webhook endpoints API: CRUD, secrets, owner scoping, problems, the delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from tests.api.conftest import Receivers
from tests.api.test_openapi_schema import conforms

PROBLEM = "application/problem+json"
HOOK = {"url": "https://hooks.example.com/reportflow", "events": ["job.succeeded", "job.failed"]}


def create(client: APIClient, body: dict[str, Any] | None = None) -> Any:
    return client.post("/api/v1/webhooks/", body or HOOK, format="json")


def test_creating_an_endpoint_answers_201_with_its_secret_shown_only_then(
    alice: APIClient, receivers: Receivers
) -> None:
    created = create(alice)

    body = created.json()
    assert created.status_code == 201
    assert created["Location"] == body["links"]["self"]
    assert body["url"] == HOOK["url"]
    assert sorted(body["events"]) == ["job.failed", "job.succeeded"]
    assert body["enabled"] is True
    assert body["secret"].startswith("whsec_")
    assert set(body["links"]) == {"self", "deliveries", "test", "rotate_secret"}
    shown = alice.get(body["links"]["self"]).json()
    listed = alice.get("/api/v1/webhooks/").json()["results"]
    assert "secret" not in shown
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]


@pytest.mark.parametrize(
    ("body", "problem_type"),
    [
        ({"url": "https://hooks.example.com/", "events": ["job.exploded"]}, "/problems/validation-error"),
        ({"url": "https://hooks.example.com/", "events": []}, "/problems/validation-error"),
        ({"url": "https://hooks.example.com/", "events": ["ping"]}, "/problems/validation-error"),
        ({"events": ["job.failed"]}, "/problems/validation-error"),
        ({"url": "ftp://hooks.example.com/", "events": ["job.failed"]}, "/problems/webhook-url-refused"),
        ({"url": "http://127.0.0.1:8000/", "events": ["job.failed"]}, "/problems/webhook-url-refused"),
        ({"url": "http://0x7f.1/", "events": ["job.failed"]}, "/problems/webhook-url-refused"),
        ({"url": "http://[::ffff:169.254.169.254]/", "events": ["job.failed"]}, "/problems/webhook-url-refused"),
        ({"url": "https://nowhere.example.org/", "events": ["job.failed"]}, "/problems/webhook-url-refused"),
    ],
)
def test_bad_input_and_unsafe_urls_are_400_problems(
    alice: APIClient, receivers: Receivers, body: dict[str, Any], problem_type: str
) -> None:
    response = create(alice, body)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == problem_type
    assert alice.get("/api/v1/webhooks/").json()["results"] == []


def test_an_endpoint_can_be_changed_and_deleted(alice: APIClient, receivers: Receivers) -> None:
    url = create(alice).json()["links"]["self"]

    changed = alice.patch(url, {"events": ["job.dead"], "enabled": False}, format="json")
    refused = alice.patch(url, {"url": "http://192.168.0.1/"}, format="json")
    deleted = alice.delete(url)

    assert changed.status_code == 200
    assert (changed.json()["events"], changed.json()["enabled"]) == (["job.dead"], False)
    assert changed.json()["disabled_reason"] == "disabled by its owner"
    assert (refused.status_code, refused.json()["type"]) == (400, "/problems/webhook-url-refused")
    assert deleted.status_code == 204
    assert alice.get(url).status_code == 404


def test_another_user_s_endpoint_is_404_everywhere(alice: APIClient, bob: APIClient, receivers: Receivers) -> None:
    body = create(alice).json()
    links = body["links"]

    responses = [
        bob.get(links["self"]),
        bob.patch(links["self"], {"enabled": False}, format="json"),
        bob.delete(links["self"]),
        bob.post(links["test"]),
        bob.post(links["rotate_secret"]),
        bob.get(links["deliveries"]),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert all(r["Content-Type"] == PROBLEM for r in responses)
    assert alice.get(links["self"]).json()["enabled"] is True


def test_a_finished_report_is_delivered_signed_and_shows_in_the_delivery_log(
    alice: APIClient, receivers: Receivers, upload: Any, run_worker: Any
) -> None:
    endpoint = create(alice).json()
    job = upload().json()

    run_worker()

    [request] = receivers.sender.requests
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "job.succeeded"
    assert payload["data"]["id"] == job["id"]
    assert payload["data"]["links"]["self"] == f"http://127.0.0.1:8000/api/v1/jobs/{job['id']}/"
    assert payload["data"]["report"]["summary"] is not None
    [delivery] = alice.get(endpoint["links"]["deliveries"]).json()["results"]
    assert delivery["event_id"] == request.headers["webhook-id"]
    assert (delivery["event_type"], delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "job.succeeded",
        "succeeded",
        1,
        200,
    )
    assert delivery["latency_ms"] >= 0 and delivery["last_error"] == ""
    detail = alice.get(delivery["links"]["self"]).json()
    assert detail["payload"].encode() == request.body
    assert alice.get(delivery["links"]["job"]).json()["kind"] == "webhook.deliver"


def test_a_failing_receiver_shows_its_answer_and_the_retry_in_the_log(
    alice: APIClient, receivers: Receivers, upload: Any, run_worker: Any
) -> None:
    endpoint = create(alice).json()
    receivers.sender.answer(503)
    upload()

    run_worker()

    [delivery] = alice.get(endpoint["links"]["deliveries"]).json()["results"]
    assert (delivery["status"], delivery["response_status"], delivery["last_error"]) == (
        "retrying",
        503,
        "HTTP 503 after 12 ms",
    )
    assert delivery["next_attempt_at"] is not None


def test_the_delivery_log_is_cursor_paginated_newest_first(
    alice: APIClient, receivers: Receivers, upload: Any, run_worker: Any
) -> None:
    endpoint = create(alice).json()
    for _ in range(3):
        upload()
    run_worker()

    first = alice.get(endpoint["links"]["deliveries"], {"limit": 2}).json()
    second = alice.get(first["next"]).json()
    bad = alice.get(endpoint["links"]["deliveries"], {"cursor": "nope"})

    ids = [d["id"] for d in first["results"] + second["results"]]
    assert len(set(ids)) == 3 and second["next"] is None
    created = [d["created_at"] for d in first["results"] + second["results"]]
    assert created == sorted(created, reverse=True)
    assert (bad.status_code, bad.json()["type"]) == (400, "/problems/invalid-cursor")


def test_a_test_ping_and_a_redelivery_are_accepted_and_delivered(
    alice: APIClient, receivers: Receivers, upload: Any, run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = create(alice).json()
    upload()
    run_worker()
    [original] = alice.get(endpoint["links"]["deliveries"]).json()["results"]

    with django_capture_on_commit_callbacks(execute=True):
        ping = alice.post(endpoint["links"]["test"])
        again = alice.post(original["links"]["redeliver"])
    run_worker()

    assert (ping.status_code, again.status_code) == (202, 202)
    assert (ping.json()["event_type"], again.json()["event_id"]) == ("ping", original["event_id"])
    ids = [r.headers["webhook-id"] for r in receivers.sender.requests]
    assert ids == [original["event_id"], ping.json()["event_id"], original["event_id"]]
    statuses = {d["id"]: d["status"] for d in alice.get(endpoint["links"]["deliveries"]).json()["results"]}
    assert set(statuses.values()) == {"succeeded"} and len(statuses) == 3


def test_nothing_is_sent_on_request_to_a_disabled_endpoint(alice: APIClient, receivers: Receivers) -> None:
    endpoint = create(alice).json()
    alice.patch(endpoint["links"]["self"], {"enabled": False}, format="json")

    response = alice.post(endpoint["links"]["test"])

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert response.json()["type"] == "/problems/webhook-disabled"


def test_rotating_the_secret_shows_the_new_one_and_signs_with_both_for_the_grace_period(
    alice: APIClient, receivers: Receivers, run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = create(alice).json()

    rotated = alice.post(endpoint["links"]["rotate_secret"], {"grace_seconds": 600}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(endpoint["links"]["test"])
    run_worker()

    body = rotated.json()
    assert rotated.status_code == 200
    assert body["secret"] != endpoint["secret"] and body["previous_secret_expires_at"] is not None
    [request] = receivers.sender.requests
    for secret in (endpoint["secret"], body["secret"]):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "ping"


def test_the_webhook_responses_on_the_wire_are_the_ones_the_schema_describes(
    alice: APIClient,
    receivers: Receivers,
    upload: Any,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths, components = schema["paths"], schema["components"]["schemas"]
    created = create(alice).json()
    upload()
    run_worker()
    with django_capture_on_commit_callbacks(execute=True):
        ping = alice.post(created["links"]["test"]).json()
    page = alice.get(created["links"]["deliveries"], {"limit": 1}).json()

    answers = {
        "WebhookWithSecret": [created, alice.post(created["links"]["rotate_secret"]).json()],
        "Webhook": [alice.get(created["links"]["self"]).json()],
        "WebhookList": [alice.get("/api/v1/webhooks/").json()],
        "WebhookDelivery": [ping],
        "WebhookDeliveryPage": [page, alice.get(page["next"]).json()],
        "WebhookDeliveryDetail": [alice.get(ping["links"]["self"]).json()],
        "EmailPreferences": [alice.get("/api/v1/me/notifications/").json()],
        "Problem": [create(alice, {"url": "http://10.0.0.1/", "events": ["job.dead"]}).json()],
    }

    for component, bodies in answers.items():
        for body in bodies:
            conforms(body, {"$ref": f"#/components/schemas/{component}"}, components, component)
    assert {"post", "get"} <= set(paths["/api/v1/webhooks/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/webhooks/{endpoint_id}/"])
    assert {"get", "patch"} <= set(paths["/api/v1/me/notifications/"])
    create_op = paths["/api/v1/webhooks/"]["post"]
    assert create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/WebhookCreateRequest")
    assert create_op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/WebhookWithSecret")
    assert "webhook-url-refused" in create_op["responses"]["400"]["description"]
