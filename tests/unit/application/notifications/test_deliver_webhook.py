"""A delivery job sends the fixed event, signed, to the checked address; retries, gives up,
disables endpoints that keep failing, and keeps what the receiver answered."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_address

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from application.jobs.list_dead_letters import ListDeadLetters, ListDeadLettersHandler
from application.notifications.kinds import WEBHOOK_JOB_KIND
from application.notifications.rotate_secret import RotateWebhookSecret, RotateWebhookSecretHandler
from domain.job_status import JobStatus
from tests.unit.application.conftest import World
from tests.unit.application.notifications.conftest import (
    HOOK_URL,
    add_endpoint,
    deliver_all,
    deliveries_of,
    disable,
    events_of,
    verified,
)


def endpoint_state(world: World, endpoint_id: object) -> tuple[bool, int, str]:
    endpoint = world.uow.state.webhook_endpoints[endpoint_id]  # type: ignore[index]
    return endpoint.enabled, endpoint.consecutive_failures, endpoint.disabled_reason


def test_a_delivery_posts_the_event_s_exact_bytes_signed_to_the_resolved_address(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit()

    world.run_queue()

    [event] = events_of(world)
    [request] = world.sender.requests
    assert request.url == HOOK_URL
    assert request.address == ip_address("93.184.216.34")
    assert request.body == event.body.encode()
    assert request.headers["webhook-id"] == event.id
    assert request.headers["webhook-timestamp"] == str(int(world.clock.now().timestamp()))
    assert request.headers["content-type"] == "application/json"
    assert verified(endpoint.secret, request)["data"]["id"] == str(submitted.job.id)
    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.attempts, delivery.response_status, delivery.latency_ms) == (
        JobStatus.SUCCEEDED,
        1,
        200,
        12,
    )


def test_a_failed_attempt_retries_with_backoff_and_sends_the_same_bytes_and_id_signed_anew(world: World) -> None:
    endpoint = add_endpoint(world)
    world.sender.answer(503, None)
    world.submit()

    world.run_queue()

    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.error, delivery.response_status) == (JobStatus.RETRYING, "HTTP 503 after 12 ms", 503)
    assert job.next_attempt_at == world.clock.now() + timedelta(seconds=world.settings.retry.delay_for(1))

    world.clock.advance(2)
    world.relay()
    world.run_queue()

    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.error, delivery.response_status) == (
        JobStatus.RETRYING,
        "no answer after 12 ms: timed out",
        None,
    )

    deliver_all(world)

    first, second, third = world.sender.requests
    assert first.body == second.body == third.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    assert first.headers["webhook-timestamp"] != third.headers["webhook-timestamp"], "each attempt is signed anew"
    assert all(verified(endpoint.secret, request) for request in (first, second, third))
    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.attempts, delivery.response_status, delivery.last_attempt) == (
        JobStatus.SUCCEEDED,
        3,
        200,
        3,
    )


def test_an_exhausted_delivery_goes_dead_and_waits_in_the_dead_letters(world: World) -> None:
    endpoint = add_endpoint(world)
    world.sender.answer(500, 500, 500, 500)
    world.submit()

    deliver_all(world)

    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.attempts, delivery.response_status) == (JobStatus.DEAD, 4, 500)
    dead = ListDeadLettersHandler(uow=world.uow)(ListDeadLetters(owner_id=1))
    assert [j.id for j in dead.items] == [job.id]


def test_an_endpoint_whose_deliveries_fail_n_times_in_a_row_is_disabled_with_a_note_in_its_log(
    world: World,
) -> None:
    endpoint = add_endpoint(world)
    world.sender.answer(*[500] * 4 * 3)  # three deliveries, each failing its four attempts

    for _ in range(3):
        world.submit()
        deliver_all(world)

    log = deliveries_of(world, endpoint.endpoint.id)
    assert [job.status for _, job in log] == [JobStatus.DEAD] * 3
    assert [delivery.note for delivery, _ in log] == ["", "", "endpoint disabled after 3 failed deliveries in a row"]
    assert endpoint_state(world, endpoint.endpoint.id) == (False, 3, "disabled after 3 failed deliveries in a row")
    world.submit()
    world.run_queue()
    assert len(deliveries_of(world, endpoint.endpoint.id)) == 3, "a disabled endpoint gets no new deliveries"


def test_a_success_between_failed_deliveries_starts_the_count_again(world: World) -> None:
    endpoint = add_endpoint(world)
    world.sender.answer(*[500] * 8, 200, *[500] * 4)

    for _ in range(4):
        world.submit()
        deliver_all(world)

    assert [job.status for _, job in deliveries_of(world, endpoint.endpoint.id)] == [
        JobStatus.DEAD,
        JobStatus.DEAD,
        JobStatus.SUCCEEDED,
        JobStatus.DEAD,
    ]
    assert endpoint_state(world, endpoint.endpoint.id) == (True, 1, "")


def test_a_410_gone_disables_the_endpoint_at_once_and_fails_the_delivery(world: World) -> None:
    endpoint = add_endpoint(world)
    world.sender.answer(410)
    world.submit()

    deliver_all(world)

    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.attempts, delivery.response_status) == (JobStatus.FAILED, 1, 410)
    assert delivery.note == "endpoint disabled: the endpoint answered 410 Gone"
    assert endpoint_state(world, endpoint.endpoint.id) == (False, 0, "disabled: the endpoint answered 410 Gone")


def test_the_destination_is_checked_again_at_delivery_and_a_host_that_now_resolves_inside_gets_nothing(
    world: World,
) -> None:
    endpoint = add_endpoint(world)
    world.resolver.names["hooks.example.com"] = [ip_address("93.184.216.34"), ip_address("10.0.0.7")]
    world.submit()

    deliver_all(world)

    assert world.sender.requests == []
    [(_, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "not sent: hooks.example.com does not resolve to public addresses only",
    )


def test_a_host_that_does_not_resolve_at_delivery_is_tried_again(world: World) -> None:
    endpoint = add_endpoint(world)
    dns = world.resolver.names.pop("hooks.example.com")
    world.submit()
    world.run_queue()
    [(_, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert job.status is JobStatus.RETRYING

    world.resolver.names["hooks.example.com"] = dns
    deliver_all(world)

    [(_, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.attempts, len(world.sender.requests)) == (JobStatus.SUCCEEDED, 2, 1)


def test_a_delivery_to_an_endpoint_disabled_meanwhile_is_not_sent(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit()
    world.process(submitted.job.id, 1)
    disable(world, endpoint.endpoint.id)

    world.run_queue()

    assert world.sender.requests == []
    [(_, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.error) == (JobStatus.FAILED, "not sent: the endpoint is disabled (disabled by its owner)")


def test_a_delivery_whose_endpoint_was_deleted_fails_at_once(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit()
    world.process(submitted.job.id, 1)
    with world.uow as uow:
        uow.webhook_endpoints.delete(endpoint.endpoint.id)
        uow.commit()

    world.run_queue()

    [job] = [job for job in world.uow.state.jobs.values() if job.kind == WEBHOOK_JOB_KIND]
    assert (job.status, world.sender.requests) == (JobStatus.FAILED, [])


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the pipeline catches it, the attempt is left running."""


def test_a_worker_killed_mid_delivery_is_replaced_after_its_lease_and_the_event_keeps_its_id(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit()
    world.queue.deliveries.clear()
    world.process(submitted.job.id, 1)
    [delivery_message] = world.queue.deliveries

    def die() -> None:
        raise WorkerKilled()

    world.sender.during.append(die)
    try:
        world.process(delivery_message.job_id, delivery_message.attempt)
    except WorkerKilled:
        world.queue.deliveries.clear()
    world.clock.advance(world.settings.lease_seconds + 1)
    world.reconcile()
    deliver_all(world)

    killed, replacement = world.sender.requests
    assert killed.headers["webhook-id"] == replacement.headers["webhook-id"]
    assert killed.body == replacement.body
    [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert (job.status, job.attempts, delivery.last_attempt) == (JobStatus.SUCCEEDED, 2, 2)
    assert "stopped renewing its lease" in world.uow.state.events[job.id][-3].message


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(world: World) -> None:
    endpoint = add_endpoint(world)
    rotated = RotateWebhookSecretHandler(uow=world.uow, clock=world.clock, settings=world.notification_settings)(
        RotateWebhookSecret(owner_id=1, endpoint_id=endpoint.endpoint.id, grace_seconds=120)
    )
    world.submit()
    world.run_queue()
    world.clock.advance(121)
    world.submit()
    world.run_queue()

    during_grace, after_grace = world.sender.requests

    assert len(during_grace.headers["webhook-signature"].split(" ")) == 2
    assert verified(endpoint.secret, during_grace) and verified(rotated.secret, during_grace)
    assert len(after_grace.headers["webhook-signature"].split(" ")) == 1
    assert verified(rotated.secret, after_grace)
    with pytest.raises(WebhookVerificationError):
        verified(endpoint.secret, after_grace)
