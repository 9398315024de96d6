"""A report's documents: a result that will never come, and the HTML page's signed link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.memory import FixedClock, InMemoryTaskQueue
from config.container import container
from tests.api.test_job_actions_api import make_dead

PROBLEM = "application/problem+json"
DOCUMENTS = ("result", "html", "columns_csv", "violations_csv")


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    clock = FixedClock()
    with container.clock.override(clock):
        yield clock


def documents_of(client: APIClient, accepted: dict[str, Any]) -> list[Any]:
    report = client.get(accepted["links"]["report"]).json()
    return [client.get(report["links"][name]) for name in DOCUMENTS]


def test_the_documents_of_a_failed_job_are_a_result_unavailable_problem(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").json()
    run_worker()

    answers = documents_of(alice, accepted)

    assert {a.status_code for a in answers} == {409}
    assert {a["Content-Type"] for a in answers} == {PROBLEM}
    assert {a.json()["type"] for a in answers} == {"/problems/result-unavailable"}
    assert {a.json()["job_status"] for a in answers} == {"failed"}
    assert "replay" in answers[0].json()["detail"]


def test_the_result_of_a_dead_job_is_unavailable_not_merely_not_ready(
    upload: Any, alice: APIClient, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    accepted = make_dead(upload, run_worker, task_queue)

    answer = documents_of(alice, accepted)[0].json()

    assert (answer["type"], answer["job_status"]) == ("/problems/result-unavailable", "dead")


def test_the_result_of_a_cancelled_job_is_unavailable(upload: Any, alice: APIClient) -> None:
    accepted = upload().json()
    alice.post(accepted["links"]["cancel"])

    answer = documents_of(alice, accepted)[0].json()

    assert (answer["type"], answer["job_status"]) == ("/problems/result-unavailable", "cancelled")


def test_a_report_carries_a_signed_html_link_once_its_result_exists(
    upload: Any, alice: APIClient, run_worker: Any, clock: FixedClock, settings: Any
) -> None:
    settings.REPORT_LINK_TTL_SECONDS = 600
    accepted = upload().json()
    before = alice.get(accepted["links"]["report"]).json()
    run_worker()

    report = alice.get(accepted["links"]["report"]).json()

    assert "html_signed" not in before["links"] and before["html_signed_expires_at"] is None
    assert "signature=" in report["links"]["html_signed"]
    expires = datetime.fromisoformat(report["html_signed_expires_at"])
    assert (expires - clock.now()).total_seconds() == 600


def test_the_signed_link_opens_the_html_page_without_an_authorization_header(
    upload: Any, alice: APIClient, run_worker: Any, clock: FixedClock
) -> None:
    accepted = upload().json()
    run_worker()
    link = alice.get(accepted["links"]["report"]).json()["links"]["html_signed"]

    page = APIClient().get(link, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert page.status_code == 200
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in page["Content-Security-Policy"]
    assert b"<html" in b"".join(page.streaming_content).lower()


def test_an_expired_signed_link_is_a_410_problem(
    upload: Any, alice: APIClient, run_worker: Any, clock: FixedClock, settings: Any
) -> None:
    settings.REPORT_LINK_TTL_SECONDS = 900
    accepted = upload().json()
    run_worker()
    link = alice.get(accepted["links"]["report"]).json()["links"]["html_signed"]

    clock.advance(899)
    still = APIClient().get(link)
    clock.advance(1)
    expired = APIClient().get(link)

    assert still.status_code == 200
    assert expired.status_code == 410
    assert expired["Content-Type"] == PROBLEM
    assert expired.json()["type"] == "/problems/link-expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"),  # the signature
        lambda link: link.replace("signature=", "signature=x"),  # the signed claims
        lambda link: link.split("?")[0],  # no signature at all
    ],
)
def test_a_tampered_signed_link_is_a_403_problem(
    upload: Any, alice: APIClient, run_worker: Any, clock: FixedClock, tamper: Any
) -> None:
    accepted = upload().json()
    run_worker()
    link = alice.get(accepted["links"]["report"]).json()["links"]["html_signed"]

    answer = APIClient().get(tamper(link))

    assert answer.status_code == 403
    assert answer["Content-Type"] == PROBLEM
    assert answer.json()["type"] == "/problems/invalid-link"


def test_a_signed_link_opens_only_the_report_it_was_signed_for(
    upload: Any, alice: APIClient, run_worker: Any, clock: FixedClock
) -> None:
    first, second = upload().json(), upload().json()
    run_worker()
    link = alice.get(first["links"]["report"]).json()["links"]["html_signed"]
    other_report_id = second["report_id"]

    answer = APIClient().get(link.replace(first["report_id"], other_report_id))

    assert answer.status_code == 403
    assert answer.json()["type"] == "/problems/invalid-link"


def test_documents_answer_a_client_that_accepts_only_their_media_type(
    upload: Any, alice: APIClient, run_worker: Any
) -> None:
    accepted = upload().json()
    waiting = alice.get(accepted["links"]["report"]).json()["links"]
    not_ready = alice.get(waiting["html"], HTTP_ACCEPT="text/html")
    run_worker()
    report = alice.get(accepted["links"]["report"]).json()

    html = alice.get(report["links"]["html"], HTTP_ACCEPT="text/html")
    csv = alice.get(report["links"]["columns_csv"], HTTP_ACCEPT="text/csv")

    assert (html.status_code, csv.status_code) == (200, 200)
    assert not_ready.status_code == 409 and not_ready["Content-Type"] == PROBLEM
    assert not_ready.json()["type"] == "/problems/result-not-ready"
