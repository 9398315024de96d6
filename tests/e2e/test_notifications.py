"""Notifications through real processes: gunicorn, Celery workers, beat, a real HTTP receiver
on loopback and a real SMTP server.

The exactly-once test fails the first attempt of every delivery, times the second one out,
and SIGKILLs the worker while the receiver holds one request open; a second worker takes
over after the lease. A receiver that drops repeated webhook-ids must then see every event
once per endpoint, each signed validly, and the delivery log must agree.
"""

from __future__ import annotations

import email
import email.policy
import json
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook

from tests.e2e.stack import Stack, free_port, running_stack, wait_for_job
from tests.webhook_receiver import Answer, Received, Receiver

CSV = b"region,amount\nnorth,10\nsouth,7\n"
SHORT_TIMINGS = {
    "LEASE_SECONDS": "3",
    "RECONCILE_INTERVAL_SECONDS": "1",
    "RELAY_INTERVAL_SECONDS": "0.5",
    "REDELIVERY_AFTER_SECONDS": "8",
    "RETRY_BASE_SECONDS": "0.5",
    "RETRY_CAP_SECONDS": "2",
    "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "1",
    "WEBHOOK_READ_TIMEOUT_SECONDS": "1",
    "WEBHOOK_MAX_ATTEMPTS": "10",
    "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1",
    "PUBLIC_BASE_URL": "https://reportflow.test",
}


def wait_until(condition: Callable[[], object], timeout: float, what: str, stack: Stack) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {timeout}s\n{stack.log_tail(40)}")


def register(client: httpx.Client, url: str) -> dict[str, Any]:
    created = client.post("/api/v1/webhooks/", json={"url": url, "events": ["job.succeeded"]})
    assert created.status_code == 201, created.text
    return dict(created.json())


def deliveries(client: httpx.Client, endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = endpoint["links"]["deliveries"]
    while url:
        page = client.get(url).json()
        found += page["results"]
        url = page["next"]
    return found


class Script:
    """Every delivery: 503 first, a timeout second, then 200, except one request that the
    receiver holds open until the test has killed the worker that sent it."""

    def __init__(self) -> None:
        self.victim: Received | None = None
        self.victim_arrived = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, received: Received, seen: int) -> Answer:
        if seen == 0:
            return Answer(status=503)
        if seen == 1:
            return Answer(status=200, delay=2.5)  # past the 1 s read timeout: the sender gives up first
        with self._lock:
            hold = self.victim is None
            if hold:
                self.victim = received
        if hold:
            self.victim_arrived.set()
            return Answer(status=200, block=self.release)
        return Answer(status=200)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_every_event_reaches_each_endpoint_exactly_once_after_deduplication_despite_failures_timeouts_and_a_kill(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    reports = 6
    script = Script()
    with (
        Receiver(script) as receiver,
        running_stack(
            tmp_path / "var",
            database_url=fresh_database,
            broker_url=fresh_redis,
            extra_env=SHORT_TIMINGS,
            workers=("w1",),
            beat=True,
            stop_timeout=10,
            ready_timeout=90,
        ) as stack,
        stack.client() as client,
    ):
        stack.wait_for_log("w1", " ready.", timeout=60)
        endpoints = {path: register(client, f"http://127.0.0.1:{receiver.port}{path}") for path in ("/a", "/b")}
        started = time.monotonic()
        jobs = []
        for index in range(reports):
            accepted = client.post("/api/v1/reports/", files={"file": (f"r{index}.csv", CSV, "text/csv")})
            assert accepted.status_code == 202, accepted.text
            jobs.append(accepted.json()["id"])

        assert script.victim_arrived.wait(90), f"no delivery reached its third attempt\n{stack.log_tail(40)}"
        stack.stop("w1", signal.SIGKILL)
        killed_at = time.monotonic()
        script.release.set()
        stack.start_worker("w2")

        def all_delivered() -> bool:
            logs = [deliveries(client, endpoint) for endpoint in endpoints.values()]
            return all(len(log) == reports and all(d["status"] == "succeeded" for d in log) for log in logs)

        wait_until(all_delivered, 120, "every delivery succeeding", stack)
        settled = time.monotonic()
        logs = {path: deliveries(client, endpoint) for path, endpoint in endpoints.items()}
        audit = {
            d["id"]: client.get(client.get(d["links"]["job"]).json()["links"]["events"]).json()["results"]
            for log in logs.values()
            for d in log
        }
        statuses = {wait_for_job(client, f"/api/v1/jobs/{job}/", {"succeeded"})["status"] for job in jobs}

    requests, accepted = list(receiver.requests), list(receiver.accepted)
    by_id = receiver.by_id()
    unique = {(r.path, r.headers["webhook-id"]) for r in accepted}
    event_ids = {path: {d["event_id"] for d in log} for path, log in logs.items()}

    assert statuses == {"succeeded"}
    # exactly once per event and endpoint, after deduplication by webhook-id
    assert len(unique) == reports * len(endpoints)
    assert {path: {i for p, i in unique if p == path} for path in endpoints} == event_ids
    assert event_ids["/a"] == event_ids["/b"], "one event per job end, sent to each endpoint under the same id"
    assert len(accepted) > len(unique), "the request held open during the kill was accepted, then redelivered"
    # every request signed validly, and every retry of an event the same bytes
    for request in requests:
        payload = Webhook(endpoints[request.path]["secret"]).verify(request.body, request.headers)
        assert payload["type"] == "job.succeeded" and payload["data"]["id"] in jobs
    assert all(len({r.body for r in group}) == 1 for group in by_id.values())
    # the delivery log agrees with what the receiver saw
    for path, log in logs.items():
        for delivery in log:
            seen = len(by_id[(path, delivery["event_id"])])
            lost = sum(1 for e in audit[delivery["id"]] if "stopped renewing its lease" in e["message"])
            assert seen <= delivery["attempts"] <= seen + lost, (delivery, seen, lost)
            assert (delivery["response_status"], delivery["last_error"]) == (200, "")
    victim_id = script.victim.headers["webhook-id"] if script.victim else ""
    victim_log = next(d for d in logs[script.victim.path] if d["event_id"] == victim_id) if script.victim else {}
    assert any("stopped renewing its lease" in e["message"] for e in audit[victim_log["id"]])

    figures = {
        "events": reports,
        "endpoints": len(endpoints),
        "requests_received": len(requests),
        "requests_accepted": len(accepted),
        "duplicates_removed": len(accepted) - len(unique),
        "attempts_in_log": sum(d["attempts"] for log in logs.values() for d in log),
        "seconds_from_first_upload_to_all_delivered": round(settled - started, 1),
        "seconds_from_kill_to_all_delivered": round(settled - killed_at, 1),
    }
    print("\nexactly-once figures:", json.dumps(figures))
    (tmp_path.parent / "exactly-once-figures.json").write_text(json.dumps(figures))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.mark.slow
def test_the_embedded_default_delivers_a_signed_webhook_and_an_e_mail_when_a_report_succeeds(tmp_path: Path) -> None:
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1",
        "PUBLIC_BASE_URL": "https://reportflow.test",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "reportflow <noreply@reportflow.test>",
    }
    try:
        with (
            Receiver() as receiver,
            running_stack(tmp_path / "var", extra_env=env, ready_timeout=90) as stack,
            stack.client() as client,
        ):
            endpoint = register(client, f"http://127.0.0.1:{receiver.port}/hook")
            opted = client.patch(
                "/api/v1/me/notifications/", json={"email": "e2e@example.com", "email_on_success": True}
            )
            accepted = client.post("/api/v1/reports/", files={"file": ("sales.csv", CSV, "text/csv")})
            job = wait_for_job(client, accepted.headers["Location"], {"succeeded", "failed", "dead"})
            wait_until(lambda: receiver.requests and inbox.messages, 60, "the webhook and the e-mail", stack)
            wait_until(
                lambda: [d["status"] for d in deliveries(client, endpoint)] == ["succeeded"], 30, "the log", stack
            )
            [delivery] = deliveries(client, endpoint)
    finally:
        smtp.stop()

    assert opted.status_code == 200 and job["status"] == "succeeded"
    [request] = receiver.requests
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "job.succeeded"
    assert payload["data"]["id"] == job["id"]
    assert payload["data"]["links"]["self"] == f"https://reportflow.test/api/v1/jobs/{job['id']}/"
    assert payload["data"]["report"]["summary"]["rows"] == 2
    assert (delivery["event_id"], delivery["response_status"]) == (request.headers["webhook-id"], 200)
    [message] = inbox.messages
    assert message["To"] == "e2e@example.com"
    assert message["Message-ID"] == f"<{request.headers['webhook-id']}@reportflow.test>"
    assert message["Subject"] == "[reportflow] report 'sales.csv' succeeded"
