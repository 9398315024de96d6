"""The console's other operations: a delivery sent again, a schedule paused or retimed, an
operator account made by `manage.py create_operator` (what `make admin` runs)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from adapters.orm.models import JobEventRecord, ScheduleRecord, WebhookDeliveryRecord
from tests.api.conftest import Receivers

DELIVERIES = "/admin/reportflow/webhookdeliveryrecord/"


def test_sending_a_delivery_again_makes_a_new_delivery_job_whose_trail_names_the_operator(
    operator: Client,
    alice: Any,
    receivers: Receivers,
    upload: Any,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alice.post("/api/v1/webhooks/", {"url": "https://hooks.example.com/r", "events": ["job.succeeded"]}, format="json")
    upload()
    run_worker()
    first = WebhookDeliveryRecord.objects.get()

    with django_capture_on_commit_callbacks(execute=True):  # the outbox is published after commit
        response = operator.post(DELIVERIES, {"action": "redeliver", "_selected_action": [str(first.pk)]}, follow=True)
    run_worker()

    again = WebhookDeliveryRecord.objects.exclude(pk=first.pk).get()
    operator_id = get_user_model().objects.get(username="ops").pk
    assert "Sent 1 delivery(ies) again" in response.content.decode()
    assert (again.event_id, again.endpoint_id) == (first.event_id, first.endpoint_id)
    assert JobEventRecord.objects.filter(job_id=again.job_id).earliest("seq").actor == f"user:{operator_id}"
    assert len(receivers.sender.requests) == 2
    assert operator.post(f"{DELIVERIES}{first.pk}/change/", {"note": "x"}).status_code == 403


@pytest.fixture
def schedule(alice: Any, upload: Any, run_worker: Any) -> ScheduleRecord:
    job = upload().json()
    run_worker()
    created = alice.post("/api/v1/schedules/", {"report_id": job["report_id"], "cron": "30 2 * * *"}, format="json")
    assert created.status_code == 201, created.content
    return ScheduleRecord.objects.get()


def _save(operator: Client, schedule: ScheduleRecord, **fields: Any) -> Any:
    form = {"name": schedule.name, "cron": schedule.cron, "timezone": schedule.timezone, "_save": "Save", **fields}
    if form.pop("enabled", schedule.enabled):
        form["enabled"] = "on"
    return operator.post(f"/admin/reportflow/schedulerecord/{schedule.pk}/change/", form)


@pytest.mark.parametrize(
    ("fields", "error"),
    [({"cron": "61 * * * *"}, "minute"), ({"timezone": "Mars/Olympus"}, "IANA timezone")],
)
def test_a_schedule_is_checked_as_the_api_checks_it(
    operator: Client, schedule: ScheduleRecord, fields: dict[str, str], error: str
) -> None:
    response = _save(operator, schedule, **fields)

    assert response.status_code == 200 and error in response.content.decode()
    assert ScheduleRecord.objects.get().cron == "30 2 * * *"


def test_staff_pause_and_retime_a_schedule_through_the_use_case(operator: Client, schedule: ScheduleRecord) -> None:
    paused = _save(operator, schedule, enabled=False)
    after_pause = ScheduleRecord.objects.get()
    resumed = _save(operator, after_pause, enabled=True, cron="0 9 * * 1-5", timezone="Europe/Paris")

    after = ScheduleRecord.objects.get()
    assert paused.status_code == resumed.status_code == 302
    assert (after_pause.enabled, after_pause.next_run_at) == (False, None)
    assert (after.enabled, after.cron, after.timezone) == (True, "0 9 * * 1-5", "Europe/Paris")
    assert after.next_run_at is not None and after.next_run_at.weekday() < 5
    assert operator.post(f"/admin/reportflow/schedulerecord/{schedule.pk}/delete/", {"post": "yes"}).status_code == 403


def test_create_operator_makes_a_staff_superuser_from_the_password_in_the_environment(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSWORD", "a-long-operator-password")
    out = io.StringIO()

    call_command("create_operator", "ops", stdout=out)

    user = get_user_model().objects.get(username="ops")
    assert user.is_staff and user.is_superuser and user.check_password("a-long-operator-password")
    assert "sign in at http://127.0.0.1:8000/admin/" in out.getvalue()


def test_create_operator_refuses_a_weak_password_and_creates_nothing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSWORD", "short")

    with pytest.raises(CommandError, match="password refused"):
        call_command("create_operator", "ops")

    assert not get_user_model().objects.filter(username="ops").exists()


def test_create_operator_without_a_terminal_or_password_says_how(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="set PASSWORD"):
        call_command("create_operator", "ops")
