"""Scheduled reports through the API: owner-scoped CRUD, problems for a bad cron or timezone,
links, and runs that are ordinary report jobs listed under their schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.memory import FixedClock
from application.schedules.fire import FireSchedules
from application.schedules.lease import ClaimSchedulerLease
from config.container import container
from tests.api.test_openapi_schema import conforms

SCHEDULES = "/api/v1/schedules/"
# Saturday 28 March 2026, noon UTC: Paris moves its clocks forward the next night
NOON = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


@pytest.fixture
def schedule_clock() -> Iterator[FixedClock]:
    clock = FixedClock(NOON)
    with container.schedule_clock.override(clock):
        yield clock


@pytest.fixture
def source(upload: Any, run_worker: Any) -> dict[str, Any]:
    """Alice's processed report, to schedule."""
    job = upload(b"a,b\n1,2\n3,4\n", name="orders").json()
    run_worker()
    return job


def create(client: APIClient, source: dict[str, Any], **fields: Any) -> Any:
    return client.post(SCHEDULES, {"report_id": source["report_id"], "cron": "30 2 * * *", **fields}, format="json")


def fire(capture: Any, scheduler: str = "beat-test") -> Any:
    container.claim_scheduler_lease()(ClaimSchedulerLease(holder=scheduler))
    with capture(execute=True):
        return container.fire_schedules()(FireSchedules(scheduler=scheduler))


def test_a_schedule_is_created_with_its_next_run_in_its_timezone_and_its_links(
    alice: APIClient, source: dict[str, Any], schedule_clock: FixedClock
) -> None:
    response = create(alice, source, timezone="Europe/Paris")

    body = response.json()
    assert response.status_code == 201
    assert response["Location"] == body["links"]["self"]
    assert (body["name"], body["cron"], body["timezone"]) == ("orders", "30 2 * * *", "Europe/Paris")
    # 02:30 does not exist in Paris on 29 March: it runs when the clock jumps, 03:00 CEST
    assert (body["next_run_at"], body["next_run_local"]) == ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00")
    assert body["links"]["report"].endswith(f"/api/v1/reports/{source['report_id']}/")
    assert body["links"]["runs"] == body["links"]["self"] + "runs/"
    assert "last_run" not in body["links"]
    assert alice.get(body["links"]["self"]).json() == body


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"cron": "every day"}, "cron", "five fields"),
        ({"cron": "61 * * * *"}, "cron", "outside 0-59"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "not an IANA timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone", "not an IANA timezone"),
        ({"report_id": "not-a-uuid"}, "report_id", "UUID"),
    ],
)
def test_an_invalid_cron_or_timezone_is_a_validation_problem_naming_the_field(
    alice: APIClient, source: dict[str, Any], fields: dict[str, str], field: str, says: str
) -> None:
    response = create(alice, source, **fields)

    problem = response.json()
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert problem["type"] == "/problems/validation-error"
    assert says in problem["errors"][field][0]
    assert alice.get(SCHEDULES).json()["results"] == []


def test_another_users_report_cannot_be_scheduled_and_another_users_schedule_is_not_found(
    alice: APIClient, bob: APIClient, source: dict[str, Any]
) -> None:
    schedule = create(alice, source).json()

    assert create(bob, source).status_code == 404
    assert bob.get(schedule["links"]["self"]).status_code == 404
    assert bob.patch(schedule["links"]["self"], {"enabled": False}, format="json").status_code == 404
    assert bob.delete(schedule["links"]["self"]).status_code == 404
    assert bob.get(schedule["links"]["runs"]).status_code == 404
    assert bob.get(SCHEDULES).json()["results"] == []
    assert alice.get(schedule["links"]["self"]).json()["enabled"] is True


def test_a_schedule_is_paused_resumed_changed_and_deleted(
    alice: APIClient, source: dict[str, Any], schedule_clock: FixedClock
) -> None:
    url = create(alice, source).json()["links"]["self"]

    paused = alice.patch(url, {"enabled": False}, format="json").json()
    schedule_clock.advance(3 * 86400)
    resumed = alice.patch(url, {"enabled": True, "cron": "0 9 * * 1-5", "timezone": "America/New_York"}, format="json")
    refused = alice.patch(url, {"cron": "0 9 * *"}, format="json")
    deleted = alice.delete(url)

    assert (paused["enabled"], paused["next_run_at"]) == (False, None)
    assert resumed.json()["next_run_at"] == "2026-03-31T13:00:00Z"  # Tuesday 09:00 EDT: Saturday to Monday passed
    assert refused.status_code == 400 and refused.json()["errors"]["cron"]
    assert deleted.status_code == 204
    assert alice.get(url).status_code == 404


def test_schedules_are_listed_newest_first_a_page_at_a_time(alice: APIClient, source: dict[str, Any]) -> None:
    ids = [create(alice, source, name=f"s{i}").json()["id"] for i in range(3)]

    first = alice.get(SCHEDULES, {"limit": 2}).json()
    second = alice.get(first["next"]).json()

    assert [s["id"] for s in first["results"] + second["results"]] == ids[::-1]
    assert second["next"] is None


def test_each_run_is_an_ordinary_report_job_listed_under_its_schedule(
    alice: APIClient,
    source: dict[str, Any],
    schedule_clock: FixedClock,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
    schema: dict[str, Any],
) -> None:
    schedule = create(alice, source, cron="0 * * * *").json()
    for _ in range(3):
        schedule_clock.advance(3600)
        fire(django_capture_on_commit_callbacks)
    run_worker()

    runs = alice.get(schedule["links"]["runs"], {"limit": 2}).json()
    rest = alice.get(runs["next"]).json()
    jobs = alice.get("/api/v1/jobs/", {"schedule_id": schedule["id"]}).json()
    now = alice.get(schedule["links"]["self"]).json()

    listed = runs["results"] + rest["results"]
    assert [j["scheduled_for"] for j in listed] == [f"2026-03-28T{hour}:00:00Z" for hour in (15, 14, 13)]
    assert {(j["kind"], j["status"], j["schedule_id"]) for j in listed} == {
        ("report.process", "succeeded", schedule["id"])
    }
    assert [j["id"] for j in jobs["results"]] == [j["id"] for j in listed]
    assert listed[0]["links"]["schedule"] == schedule["links"]["self"]
    run_report = alice.get(listed[0]["links"]["report"]).json()
    source_report = alice.get(source["links"]["report"]).json()
    assert run_report["id"] != source_report["id"]
    assert (run_report["summary"], run_report["filename"]) == (source_report["summary"], source_report["filename"])
    assert (now["runs"], now["last_run_at"], now["next_run_at"]) == (3, "2026-03-28T15:00:00Z", "2026-03-28T16:00:00Z")
    assert now["links"]["last_run"] == listed[0]["links"]["self"]
    components = schema["components"]["schemas"]
    conforms(now, {"$ref": "#/components/schemas/Schedule"}, components, "Schedule")
    conforms(runs, {"$ref": "#/components/schemas/ScheduleRunPage"}, components, "ScheduleRunPage")
    conforms(alice.get(SCHEDULES).json(), {"$ref": "#/components/schemas/SchedulePage"}, components, "SchedulePage")


def test_a_firing_from_a_scheduler_without_the_lease_starts_nothing(
    alice: APIClient, source: dict[str, Any], schedule_clock: FixedClock, django_capture_on_commit_callbacks: Any
) -> None:
    schedule = create(alice, source, cron="0 * * * *").json()
    schedule_clock.advance(3600)
    container.claim_scheduler_lease()(ClaimSchedulerLease(holder="beat-a"))

    with django_capture_on_commit_callbacks(execute=True):
        ignored = container.fire_schedules()(FireSchedules(scheduler="beat-b"))

    assert not ignored.active
    assert alice.get(schedule["links"]["runs"]).json()["results"] == []
