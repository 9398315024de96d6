"""The operator console: staff only, history read-only, actions through the use cases."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from adapters.memory import InMemoryTaskQueue
from adapters.orm.models import JobEventRecord, JobRecord, OutboxRecord
from tests.api.test_job_actions_api import make_dead

JOBS = "/admin/reportflow/jobrecord/"


def staff_id(client: Client) -> int:
    return int(client.session["_auth_user_id"])


def test_the_console_sends_anonymous_visitors_to_its_login_page(db: None) -> None:
    response = Client().get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_signed_in_user_who_is_not_staff_is_sent_to_the_login_page(db: None) -> None:
    user = get_user_model().objects.create_user("carol", password="a-long-user-password")
    client = Client()
    client.force_login(user)

    for url in ("/admin/", JOBS, "/admin/dead-letters/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_the_login_page_signs_staff_in_with_a_session_and_csrf_cookie(db: None) -> None:
    get_user_model().objects.create_user("ops", password="a-long-operator-password", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "ops", "password": "a-long-operator-password", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_api_still_authenticates_by_token_only(alice: Any, operator: Client) -> None:
    assert operator.get("/api/v1/jobs/").status_code == 401, "a console session is no API credential"
    assert alice.get("/api/v1/jobs/").status_code == 200


def test_staff_filter_the_jobs_by_status_and_find_one_by_its_exact_id(
    operator: Client, upload: Any, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    dead = make_dead(upload, run_worker, task_queue)
    queued = upload().json()

    by_status = operator.get(JOBS, {"status__exact": "dead"}).content.decode()
    by_id = operator.get(JOBS, {"q": queued["id"]}).content.decode()
    by_junk = operator.get(JOBS, {"q": "dead"}).content.decode()

    assert dead["id"] in by_status and queued["id"] not in by_status
    assert queued["id"] in by_id and dead["id"] not in by_id
    assert dead["id"] not in by_junk and queued["id"] not in by_junk


def test_the_job_list_costs_the_same_queries_for_many_jobs_as_for_one(operator: Client, upload: Any) -> None:
    upload()
    with CaptureQueriesContext(connection) as one:
        assert operator.get(JOBS).status_code == 200
    for _ in range(6):
        upload()

    with CaptureQueriesContext(connection) as seven:
        operator.get(JOBS)

    assert len(seven) == len(one), [q["sql"] for q in seven.captured_queries]


def test_a_job_page_shows_its_audit_trail_and_report_and_nothing_can_be_edited_or_deleted(
    operator: Client, upload: Any, run_worker: Any
) -> None:
    job = upload().json()
    run_worker()
    page = f"{JOBS}{job['id']}/change/"

    shown = operator.get(page)
    edit = operator.post(page, {"status": "queued"})
    delete = operator.post(f"{JOBS}{job['id']}/delete/", {"post": "yes"})
    add = operator.get(f"{JOBS}add/")

    text = shown.content.decode()
    assert shown.status_code == 200
    assert "audit trail" in text.lower() and "running" in text and "succeeded" in text
    assert f"/admin/reportflow/reportrecord/{job['report_id']}/change/" in text
    assert (edit.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert JobRecord.objects.get(pk=job["id"]).status == "succeeded"
    assert JobEventRecord.objects.filter(job_id=job["id"]).count() == 3


def test_a_fanned_out_job_page_lists_its_chunks_and_merge_each_linking_back(
    operator: Client, upload_fanned_out: Any
) -> None:
    parent = upload_fanned_out()
    children = list(JobRecord.objects.filter(parent_id=parent["id"]).values_list("id", "kind"))

    text = operator.get(f"{JOBS}{parent['id']}/change/").content.decode()
    child_page = operator.get(f"{JOBS}{children[0][0]}/change/").content.decode()

    assert len(children) > 2 and {kind for _, kind in children} == {"report.chunk", "report.merge"}
    assert all(f"{JOBS}{child_id}/change/" in text for child_id, _ in children)
    assert f"{JOBS}{parent['id']}/change/" in child_page, "a child links to its parent"


@pytest.mark.parametrize("model", ["jobeventrecord", "outboxrecord", "webhookdeliveryrecord", "deadmessagerecord"])
def test_history_cannot_be_added_from_the_console(operator: Client, model: str) -> None:
    assert operator.get(f"/admin/reportflow/{model}/add/").status_code in (403, 404)


def test_an_outbox_row_is_shown_read_only(operator: Client, upload: Any) -> None:
    upload()
    row = OutboxRecord.objects.get()
    page = f"/admin/reportflow/outboxrecord/{row.pk}/change/"

    assert operator.get(page).status_code == 200
    assert operator.post(page, {"queue": "bulk"}).status_code == 403
    assert operator.post(f"/admin/reportflow/outboxrecord/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboxRecord.objects.get().queue == row.queue


def test_replaying_selected_jobs_shows_a_dry_run_then_replays_as_the_staff_member(
    operator: Client,
    upload: Any,
    run_worker: Any,
    task_queue: InMemoryTaskQueue,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dead = make_dead(upload, run_worker, task_queue)
    selection = {"action": "replay_selected", "_selected_action": [dead["id"]]}

    review = operator.post(JOBS, selection)
    still_dead = JobRecord.objects.get(pk=dead["id"]).status
    with django_capture_on_commit_callbacks(execute=True):
        done = operator.post(JOBS, {**selection, "confirm": "yes"})

    assert review.status_code == 200 and "dry run" in review.content.decode()
    assert still_dead == "dead"
    assert done.status_code == 302
    job = JobRecord.objects.get(pk=dead["id"])
    last = JobEventRecord.objects.filter(job=job).latest("seq")
    assert job.status == "queued"
    assert (last.from_status, last.to_status, last.actor) == ("dead", "queued", f"user:{staff_id(operator)}")
    assert [d.job_id for d in task_queue.deliveries] == [job.pk], "enqueued through the outbox, after commit"


def test_cancelling_selected_jobs_goes_through_the_use_case_and_refusals_are_reported(
    operator: Client, upload: Any, run_worker: Any
) -> None:
    done = upload().json()
    run_worker()
    waiting = upload().json()

    response = operator.post(
        JOBS, {"action": "cancel_selected", "_selected_action": [done["id"], waiting["id"]]}, follow=True
    )

    text = response.content.decode()
    assert "Cancelled 1 job(s)" in text and "cannot go from succeeded to cancelled" in text
    last = JobEventRecord.objects.filter(job_id=waiting["id"]).latest("seq")
    assert (last.to_status, last.actor) == ("cancelled", f"user:{staff_id(operator)}")
    assert JobRecord.objects.get(pk=done["id"]).status == "succeeded"


def test_dead_letters_are_grouped_by_cause_and_one_cause_is_replayed_after_a_dry_run(
    operator: Client, upload: Any, run_worker: Any, task_queue: InMemoryTaskQueue
) -> None:
    first = make_dead(upload, run_worker, task_queue)
    second = make_dead(upload, run_worker, task_queue)

    listing = operator.get("/admin/dead-letters/")
    [group] = listing.context["groups"]
    review = operator.get(f"/admin/dead-letters/{group.fingerprint.key}/")
    replayed = operator.post(
        f"/admin/dead-letters/{group.fingerprint.key}/", {"confirm": "yes", "job": [first["id"]]}, follow=True
    )

    assert (group.count, group.fingerprint.error_type, group.fingerprint.kind) == (
        2,
        "TransientError",
        "report.process",
    )
    assert group.fingerprint.message == "the warehouse is down"
    assert first["id"] in review.content.decode() and second["id"] in review.content.decode()
    assert "Replayed 1 job(s)" in replayed.content.decode()
    assert JobRecord.objects.get(pk=first["id"]).status == "queued"
    assert JobRecord.objects.get(pk=second["id"]).status == "dead", "only what the dry run listed and was posted"
    assert JobEventRecord.objects.filter(job_id=first["id"]).latest("seq").actor == f"user:{staff_id(operator)}"


def test_an_unknown_cause_is_not_found(operator: Client) -> None:
    assert operator.get(f"/admin/dead-letters/{uuid.uuid4().hex[:16]}/").status_code == 404
