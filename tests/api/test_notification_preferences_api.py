"""E-mail notification preferences of the authenticated user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

URL = "/api/v1/me/notifications/"


def test_nobody_is_mailed_by_default_and_the_address_is_the_account_s(alice: APIClient) -> None:
    get_user_model().objects.filter(username="alice").update(email="alice@example.com")

    shown = alice.get(URL)

    assert shown.status_code == 200
    assert shown.json() == {"email": "alice@example.com", "email_on_success": False, "email_on_failure": False}


def test_opting_in_mails_the_owner_once_the_job_ends_with_a_stable_message_id(
    alice: APIClient, upload: Any, run_worker: Any
) -> None:
    changed = alice.patch(URL, {"email": "a@example.com", "email_on_success": True}, format="json")
    job = upload().json()

    run_worker()

    assert changed.json() == {"email": "a@example.com", "email_on_success": True, "email_on_failure": False}
    [message] = mail.outbox
    assert message.to == ["a@example.com"]
    assert message.subject == "[reportflow] report 'data.csv' succeeded"
    assert message.extra_headers["Message-ID"].startswith("<msg_")
    assert f"/api/v1/jobs/{job['id']}/" in message.body


def test_opting_in_without_an_address_or_with_a_bad_one_is_a_400_problem(alice: APIClient) -> None:
    missing = alice.patch(URL, {"email_on_failure": True}, format="json")
    malformed = alice.patch(URL, {"email": "not-an-address", "email_on_failure": True}, format="json")

    assert (missing.status_code, missing.json()["type"]) == (400, "/problems/email-address-required")
    assert (malformed.status_code, malformed.json()["type"]) == (400, "/problems/validation-error")
    assert alice.get(URL).json()["email_on_failure"] is False


def test_preferences_are_per_user(alice: APIClient, bob: APIClient) -> None:
    alice.patch(URL, {"email": "a@example.com", "email_on_failure": True}, format="json")

    assert bob.get(URL).json()["email_on_failure"] is False
