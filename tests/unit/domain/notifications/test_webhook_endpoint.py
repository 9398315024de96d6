"""A webhook endpoint's rules: subscriptions, secrets and their grace period, disabling."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import SigningSecret, WebhookEndpoint
from domain.notifications.events import EventType, NotificationEvent
from domain.notifications.preferences import EmailPreferences

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def endpoint(*events: EventType) -> WebhookEndpoint:
    return WebhookEndpoint.create(
        id=uuid.uuid4(),
        owner_id=1,
        url="https://hooks.example.com/",
        events=events,
        secret=SigningSecret.generate(),
        now=T0,
    )


@pytest.mark.parametrize("events", [[], [EventType.PING], [EventType.JOB_SUCCEEDED, EventType.PING]])
def test_an_endpoint_subscribes_to_at_least_one_job_event_and_never_to_pings(events: list[EventType]) -> None:
    with pytest.raises(ValueError, match="subscribes"):
        endpoint(*events)

    assert endpoint(EventType.JOB_SUCCEEDED).events == {EventType.JOB_SUCCEEDED}


def test_an_endpoint_wants_its_events_only_while_enabled() -> None:
    hook = endpoint(EventType.JOB_FAILED)

    assert hook.wants(EventType.JOB_FAILED) and not hook.wants(EventType.JOB_SUCCEEDED)
    hook.change(now=T0, enabled=False)
    assert not hook.wants(EventType.JOB_FAILED)
    assert hook.disabled_reason == "disabled by its owner"


def test_a_rotated_secret_signs_beside_the_new_one_until_its_grace_period_ends() -> None:
    hook = endpoint(EventType.JOB_SUCCEEDED)
    old, new = hook.secret, SigningSecret.generate()

    hook.rotate_secret(new, now=T0, grace_seconds=60)

    assert hook.signing_secrets(T0 + timedelta(seconds=59)) == [new, old]
    assert hook.signing_secrets(T0 + timedelta(seconds=60)) == [new]
    assert "whsec_" not in repr(hook), "secrets stay out of logs"


def test_the_n_th_failed_delivery_in_a_row_disables_an_endpoint_and_a_disabled_one_counts_no_more() -> None:
    hook = endpoint(EventType.JOB_SUCCEEDED)

    verdicts = [hook.record_failed_delivery(now=T0, disable_after=3) for _ in range(4)]

    assert verdicts == [False, False, True, False]
    assert (hook.enabled, hook.consecutive_failures, hook.disabled_at) == (False, 3, T0)


def test_a_410_disables_an_enabled_endpoint_once() -> None:
    hook = endpoint(EventType.JOB_SUCCEEDED)

    assert hook.gone(now=T0) is True
    assert hook.gone(now=T0) is False
    assert hook.disabled_reason == "disabled: the endpoint answered 410 Gone"


def test_a_delivery_keeps_the_newest_attempt_s_answer() -> None:
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        endpoint_id=uuid.uuid4(),
        event_id="msg_1",
        event_type=EventType.JOB_SUCCEEDED,
        job_id=uuid.uuid4(),
        created_at=T0,
    )

    assert delivery.record_attempt(2, at=T0, response_status=503, latency_ms=40)
    assert not delivery.record_attempt(1, at=T0, response_status=200, latency_ms=5)

    assert (delivery.last_attempt, delivery.response_status, delivery.latency_ms) == (2, 503, 40)


def test_an_event_body_is_standard_webhooks_json_fixed_at_creation() -> None:
    event = NotificationEvent.create(
        id="msg_1", owner_id=1, type=EventType.JOB_DEAD, timestamp=T0, data={"id": "j", "name": "é"}, job_id=None
    )

    assert event.body == '{"type":"job.dead","timestamp":"2026-05-01T08:00:00Z","data":{"id":"j","name":"é"}}'


@pytest.mark.parametrize(
    ("on_success", "on_failure", "wanted"),
    [
        (True, False, {EventType.JOB_SUCCEEDED}),
        (False, True, {EventType.JOB_FAILED, EventType.JOB_DEAD}),
        (False, False, set()),
    ],
)
def test_e_mail_preferences_choose_successes_and_failures_never_cancellations(
    on_success: bool, on_failure: bool, wanted: set[EventType]
) -> None:
    preferences = EmailPreferences(owner_id=1, email="a@example.com", on_success=on_success, on_failure=on_failure)

    assert {event for event in EventType if preferences.wants(event)} == wanted
