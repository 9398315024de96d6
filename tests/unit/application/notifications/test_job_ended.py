"""A job's end creates its notifications in the ending transaction, once, for the right endpoints."""

from __future__ import annotations

import json

import pytest

from application.jobs.transition import Transition
from application.notifications.email_preferences import ChangeEmailPreferences, ChangeEmailPreferencesHandler
from application.notifications.kinds import EMAIL_JOB_KIND, WEBHOOK_JOB_KIND
from domain.errors import InvalidReportFile, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from domain.notifications.events import EventType
from tests.unit.application.conftest import World
from tests.unit.application.notifications.conftest import add_endpoint, deliveries_of, disable, events_of
from tests.unit.application.reports.test_fan_out import BIG


def test_a_succeeded_report_creates_one_delivery_job_per_subscribed_endpoint_on_the_notifications_queue(
    world: World,
) -> None:
    first = add_endpoint(world, events=[EventType.JOB_SUCCEEDED])
    second = add_endpoint(world, url="https://hooks.example.com/other", events=[EventType.JOB_SUCCEEDED])
    submitted = world.submit()

    world.process(submitted.job.id, 1)

    [event] = events_of(world)
    for endpoint in (first, second):
        [(delivery, job)] = deliveries_of(world, endpoint.endpoint.id)
        assert (delivery.event_id, delivery.event_type) == (event.id, EventType.JOB_SUCCEEDED)
        assert (job.kind, job.queue, job.status, job.max_attempts) == (WEBHOOK_JOB_KIND, "notifications", "queued", 4)
    webhook_deliveries = [d for d in world.queue.deliveries if d.kind == WEBHOOK_JOB_KIND]
    assert len(webhook_deliveries) == 2, "each delivery job's outbox entry was published after the commit"


def test_disabled_unsubscribed_and_other_owners_endpoints_get_nothing(world: World) -> None:
    failures_only = add_endpoint(world, events=[EventType.JOB_FAILED])
    disabled = add_endpoint(world, url="https://hooks.example.com/off")
    bobs = add_endpoint(world, url="https://hooks.example.com/bob", owner_id=2)
    disable(world, disabled.endpoint.id)
    submitted = world.submit()

    world.process(submitted.job.id, 1)

    for endpoint in (failures_only, disabled, bobs):
        assert deliveries_of(world, endpoint.endpoint.id) == []
    assert events_of(world) == [], "an event nobody wants is not stored"


@pytest.mark.parametrize(
    ("error", "attempts", "event_type"),
    [
        (InvalidReportFile("not a table"), 1, EventType.JOB_FAILED),
        (TransientError("flaky"), 1, EventType.JOB_DEAD),
    ],
)
def test_a_failed_or_dead_job_produces_its_event(
    world: World, error: Exception, attempts: int, event_type: EventType
) -> None:
    world.kind_settings = world.kind_settings.model_copy(update={"max_attempts": attempts})
    endpoint = add_endpoint(world)
    submitted = world.submit()
    world.fail_next(error)

    world.process(submitted.job.id, 1)

    [(delivery, _)] = deliveries_of(world, endpoint.endpoint.id)
    assert delivery.event_type is event_type


def test_a_cancelled_job_produces_a_cancelled_event(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit()

    world.cancel(submitted.job.id)

    [(delivery, _)] = deliveries_of(world, endpoint.endpoint.id)
    assert delivery.event_type is EventType.JOB_CANCELLED


def test_a_fanned_out_report_notifies_once_for_the_report_and_never_for_its_chunks_or_merge(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit(BIG)

    world.run_queue()

    assert world.job(submitted.job.id).status is JobStatus.SUCCEEDED
    [event] = events_of(world)
    assert event.job_id == submitted.job.id
    assert len(deliveries_of(world, endpoint.endpoint.id)) == 1


def test_the_end_of_a_delivery_job_notifies_nothing(world: World) -> None:
    endpoint = add_endpoint(world)
    submitted = world.submit()

    world.run_queue()

    [(_, job)] = deliveries_of(world, endpoint.endpoint.id)
    assert job.status is JobStatus.SUCCEEDED
    assert len(events_of(world)) == 1, "the delivery's own success is not an event"
    assert world.job(submitted.job.id).status is JobStatus.SUCCEEDED


def test_the_event_follows_standard_webhooks_with_the_job_its_absolute_links_and_the_report_summary(
    world: World,
) -> None:
    add_endpoint(world)
    submitted = world.submit(b"a,b\n1,2\n3,4\n")

    world.process(submitted.job.id, 1)

    [event] = events_of(world)
    body = json.loads(event.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "job.succeeded"
    assert body["timestamp"] == world.clock.now().isoformat().replace("+00:00", "Z")
    data = body["data"]
    assert (data["id"], data["kind"], data["status"], data["attempts"]) == (
        str(submitted.job.id),
        "report.process",
        "succeeded",
        1,
    )
    assert data["links"]["self"] == f"https://reportflow.test/api/v1/jobs/{submitted.job.id}/"
    assert data["report"]["id"] == str(submitted.report_id)
    assert data["report"]["summary"] == {"rows": 2, "columns": 2}
    assert data["links"]["result"] == f"https://reportflow.test/api/v1/reports/{submitted.report_id}/result/"
    assert "error_detail" not in data, "a receiver gets no traceback"


def test_nothing_is_notified_when_the_ending_transaction_rolls_back(world: World) -> None:
    endpoint = add_endpoint(world)

    def explode(transition: Transition, job: Job, /) -> None:
        raise RuntimeError("the transaction fails after the notifications were created")

    world.listeners = [explode]
    submitted = world.submit()

    with pytest.raises(RuntimeError):
        world.process(submitted.job.id, 1)

    assert deliveries_of(world, endpoint.endpoint.id) == []
    assert events_of(world) == []
    assert [d.kind for d in world.queue.deliveries] == ["report.process"], "no delivery job was published"


def test_an_owner_who_opted_in_gets_an_e_mail_job_for_a_failure_but_not_for_a_success(world: World) -> None:
    ChangeEmailPreferencesHandler(uow=world.uow)(
        ChangeEmailPreferences(owner_id=1, email="alice@example.com", email_on_failure=True)
    )
    ok, bad = world.submit(), world.submit()
    world.fail_next(InvalidReportFile("not a table"))

    world.process(bad.job.id, 1)
    world.process(ok.job.id, 1)

    mails = [job for job in world.uow.state.jobs.values() if job.kind == EMAIL_JOB_KIND]
    assert [(m.payload["to"], m.queue) for m in mails] == [("alice@example.com", "notifications")]
    [event] = events_of(world)
    assert (event.type, mails[0].payload["event_id"]) == (EventType.JOB_FAILED, event.id)
