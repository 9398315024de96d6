"""One contract for the notification repositories, in memory and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from domain.job import Job
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import SigningSecret, WebhookEndpoint
from domain.notifications.events import EventType, NotificationEvent
from domain.notifications.preferences import EmailPreferences
from domain.ports import JobCursor, UnitOfWork

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def endpoint(owner_id: int, at: datetime = T0, url: str = "https://hooks.example.com/") -> WebhookEndpoint:
    return WebhookEndpoint.create(
        id=uuid.uuid4(),
        owner_id=owner_id,
        url=url,
        events=[EventType.JOB_SUCCEEDED, EventType.JOB_DEAD],
        secret=SigningSecret.generate(),
        now=at,
    )


def event(owner_id: int, event_id: str = "msg_1") -> NotificationEvent:
    return NotificationEvent.create(
        id=event_id,
        owner_id=owner_id,
        type=EventType.JOB_SUCCEEDED,
        timestamp=T0,
        data={"id": "j", "name": "données"},
        job_id=None,
    )


def delivery_job(owner_id: int) -> Job:
    return Job.create(
        id=uuid.uuid4(),
        kind="webhook.deliver",
        owner_id=owner_id,
        queue="notifications",
        max_attempts=3,
        now=T0,
        actor="system",
    )


def two_and_one(uow: UnitOfWork, alice: int, bob: int) -> tuple[WebhookEndpoint, WebhookEndpoint, WebhookEndpoint]:
    """Two endpoints of alice's, the later one added first, and one of bob's; committed."""
    later, earlier, bobs = endpoint(alice, T0 + timedelta(seconds=5)), endpoint(alice), endpoint(bob)
    with uow:
        for hook in (later, earlier, bobs):
            uow.webhook_endpoints.add(hook)
        uow.commit()
    return later, earlier, bobs


def test_an_endpoint_reads_back_equal_with_its_rotated_secret(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    hook = endpoint(alice)
    old = hook.secret
    hook.rotate_secret(SigningSecret.generate(), now=T0, grace_seconds=60)
    hook.record_failed_delivery(now=T0, disable_after=1)

    with uow:
        uow.webhook_endpoints.add(hook)
        uow.commit()
    with uow:
        again = uow.webhook_endpoints.get(hook.id, for_update=True)

    assert again is not None
    assert (again.url, again.events, again.secret, again.previous_secret) == (hook.url, hook.events, hook.secret, old)
    assert (again.previous_secret_expires_at, again.enabled, again.consecutive_failures) == (
        T0 + timedelta(seconds=60),
        False,
        1,
    )
    assert again.disabled_reason == hook.disabled_reason and again.disabled_at == T0


def test_endpoints_are_listed_oldest_first_per_owner_and_another_owner_s_is_not_found(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, bob = uow_and_owners
    later, earlier, bobs = two_and_one(uow, alice, bob)

    with uow:
        listed = [e.id for e in uow.webhook_endpoints.list_for_owner(alice)]
        mine = uow.webhook_endpoints.get_for_owner(earlier.id, alice)
        not_mine = uow.webhook_endpoints.get_for_owner(bobs.id, alice)

    assert listed == [earlier.id, later.id]
    assert mine is not None and mine.id == earlier.id
    assert not_mine is None


def test_an_event_keeps_its_exact_body(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    original = event(alice)
    with uow:
        uow.notification_events.add(original)
        uow.commit()

    with uow:
        again = uow.notification_events.get("msg_1")

    assert again is not None
    assert (again.body, again.type, again.timestamp, again.owner_id) == (original.body, original.type, T0, alice)
    assert uow.notification_events.get("msg_unknown") is None


def test_deliveries_are_listed_newest_first_with_their_jobs_and_a_cursor(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, _ = uow_and_owners
    hook = endpoint(alice)
    deliveries = []
    with uow:
        uow.webhook_endpoints.add(hook)
        uow.notification_events.add(event(alice))
        for second in range(3):
            job = delivery_job(alice)
            uow.jobs.add(job)
            delivery = WebhookDelivery(
                id=uuid.uuid4(),
                endpoint_id=hook.id,
                event_id="msg_1",
                event_type=EventType.JOB_SUCCEEDED,
                job_id=job.id,
                created_at=T0 + timedelta(seconds=second),
            )
            uow.webhook_deliveries.add(delivery)
            deliveries.append(delivery)
        deliveries[0].record_attempt(2, at=T0, response_status=503, latency_ms=41)
        deliveries[0].note = "endpoint disabled"
        uow.webhook_deliveries.save(deliveries[0])
        uow.commit()

    with uow:
        first = uow.webhook_deliveries.list_for_endpoint(hook.id, limit=2)
        after = JobCursor(created_at=first[-1][0].created_at, job_id=first[-1][0].id)
        rest = uow.webhook_deliveries.list_for_endpoint(hook.id, after=after, limit=2)
        oldest = uow.webhook_deliveries.get(deliveries[0].id)

    assert [d.id for d, _ in first + rest] == [d.id for d in reversed(deliveries)]
    assert all(job.id == delivery.job_id for delivery, job in first + rest)
    assert oldest is not None
    assert (oldest.last_attempt, oldest.response_status, oldest.latency_ms, oldest.note) == (
        2,
        503,
        41,
        "endpoint disabled",
    )


def test_deleting_an_endpoint_deletes_its_delivery_log(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    hook = endpoint(alice)
    job = delivery_job(alice)
    delivery = WebhookDelivery(
        id=uuid.uuid4(), endpoint_id=hook.id, event_id="msg_1", event_type=EventType.PING, job_id=job.id, created_at=T0
    )
    with uow:
        uow.webhook_endpoints.add(hook)
        uow.notification_events.add(event(alice))
        uow.jobs.add(job)
        uow.webhook_deliveries.add(delivery)
        uow.commit()

    with uow:
        uow.webhook_endpoints.delete(hook.id)
        uow.commit()

    with uow:
        assert uow.webhook_endpoints.get(hook.id) is None
        assert uow.webhook_deliveries.get(delivery.id) is None
        assert uow.jobs.get(job.id) is not None, "the delivery job stays, with its audit trail"


def test_email_preferences_default_to_nobody_mailed_and_read_back(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    with uow:
        default = uow.email_preferences.get(alice)
        uow.email_preferences.save(EmailPreferences(owner_id=alice, email="a@example.com", on_failure=True))
        uow.commit()

    with uow:
        again = uow.email_preferences.get(alice)
        others = uow.email_preferences.get(bob)

    assert (default.on_success, default.on_failure) == (False, False)
    assert again == EmailPreferences(owner_id=alice, email="a@example.com", on_failure=True)
    assert (others.on_success, others.on_failure) == (False, False)


def test_an_owner_s_notification_targets_are_its_endpoints_and_preferences_read_together(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, bob = uow_and_owners
    later, earlier, bobs = two_and_one(uow, alice, bob)
    with uow:
        uow.email_preferences.save(EmailPreferences(owner_id=alice, email="a@example.com", on_success=True))
        uow.commit()
    outsider = max(alice, bob) + 1000  # no such account: no endpoint, the defaults

    with uow:
        targets = {owner: uow.notification_targets.of_owner(owner) for owner in (alice, bob, outsider)}
        apart = {
            owner: (uow.webhook_endpoints.list_for_owner(owner), uow.email_preferences.get(owner))
            for owner in (alice, bob, outsider)
        }

    assert [e.id for e in targets[alice].endpoints] == [earlier.id, later.id]
    assert targets[alice].email == EmailPreferences(owner_id=alice, email="a@example.com", on_success=True)
    assert [e.id for e in targets[bob].endpoints] == [bobs.id]
    assert targets[outsider].endpoints == [] and not targets[outsider].email.on_success
    for owner, (endpoints, email) in apart.items():  # the same answers as the two repositories'
        assert [dataclasses.asdict(e) for e in targets[owner].endpoints] == [dataclasses.asdict(e) for e in endpoints]
        assert targets[owner].email == email

    with uow:
        uow.webhook_endpoints.delete(bobs.id)
        uow.commit()
    with uow:
        none_left = uow.notification_targets.of_owner(bob)
    assert none_left.endpoints == [] and none_left.email == apart[bob][1]
