from __future__ import annotations

from datetime import timedelta

import pytest

from application.errors import EmptyUpload, UploadTooLarge
from application.jobs.admission import ExecutionLimits
from application.reports.submit import IdempotencyKey
from domain.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from domain.job_status import JobStatus
from domain.ports import QueueUnavailable
from tests.unit.application.conftest import World


def test_a_submitted_report_is_stored_with_a_queued_job_and_published_after_commit(world: World) -> None:
    submitted = world.submit(b"a,b\n1,2\n")

    job = world.job(submitted.job.id)
    report = world.uow.state.reports[submitted.report_id]
    (outbox,) = world.uow.state.outbox.values()
    assert job.status is JobStatus.QUEUED
    assert report.job_id == job.id
    assert world.blobs.blobs[report.blob_key] == b"a,b\n1,2\n"
    assert [e.to_status for e in world.uow.state.events[job.id]] == [JobStatus.QUEUED]
    assert [(d.job_id, d.attempt, d.queue) for d in world.queue.deliveries] == [(job.id, 1, "default")]
    assert outbox.published_at is not None


def test_nothing_is_published_when_the_transaction_does_not_commit(world: World) -> None:
    class ExplodingReports:
        def add(self, report: object) -> None:
            raise RuntimeError("database went away")

    class BrokenUnitOfWork(type(world.uow)):  # type: ignore[misc]
        def __enter__(self):  # type: ignore[no-untyped-def]
            super().__enter__()
            self.reports = ExplodingReports()
            return self

    world.uow = BrokenUnitOfWork(world.uow.state)

    with pytest.raises(RuntimeError):
        world.submit()

    assert world.queue.deliveries == []
    assert world.uow.state.jobs == {}
    assert world.uow.state.outbox == {}
    assert world.blobs.blobs == {}, "the stored file is removed when the job could not be recorded"


def test_an_upload_over_the_limit_is_refused_before_anything_is_stored(world: World) -> None:
    with pytest.raises(UploadTooLarge):
        world.submit(b"x" * 1001)

    assert world.blobs.blobs == {}
    assert world.uow.state.jobs == {}


def test_an_empty_upload_is_refused(world: World) -> None:
    with pytest.raises(EmptyUpload):
        world.submit(b"")

    assert world.uow.state.jobs == {}


def test_a_broker_outage_keeps_the_accepted_job_for_the_relay(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("broker down")

    submitted = world.submit()
    world.queue.fail_with = None
    relayed = world.relay()

    assert world.job(submitted.job.id).status is JobStatus.QUEUED
    assert relayed.published == 1
    assert [d.job_id for d in world.queue.deliveries] == [submitted.job.id]


def test_the_report_name_defaults_to_the_file_name(world: World) -> None:
    submitted = world.submit()

    assert world.uow.state.reports[submitted.report_id].name == "data.csv"


KEY = IdempotencyKey(key="k-1", fingerprint="request-a")


def test_the_same_idempotency_key_and_request_replays_the_first_response(world: World) -> None:
    first = world.submit(idempotency=KEY)
    world.process(first.job.id, attempt=1)

    again = world.submit(idempotency=KEY)

    assert again == first, "same job, same body (status as first answered)"
    assert len(world.uow.state.jobs) == 1
    assert len(world.queue.deliveries) == 1


def test_the_same_idempotency_key_with_another_request_is_refused(world: World) -> None:
    world.submit(idempotency=KEY)

    with pytest.raises(IdempotencyKeyReused):
        world.submit(idempotency=IdempotencyKey(key="k-1", fingerprint="request-b"))

    assert len(world.uow.state.jobs) == 1


def test_a_duplicate_while_the_first_is_in_flight_is_refused(world: World) -> None:
    with world.uow as uow:  # the first request has claimed the key and not finished
        now = world.clock.now()
        uow.idempotency.claim(1, "k-1", fingerprint="request-a", now=now, expires_at=now + timedelta(hours=1))
        uow.commit()

    with pytest.raises(IdempotencyKeyInFlight):
        world.submit(idempotency=KEY)


def test_idempotency_keys_are_per_user_and_expire(world: World) -> None:
    first = world.submit(idempotency=KEY, owner_id=1)
    other_user = world.submit(idempotency=KEY, owner_id=2)
    world.clock.advance(world.settings.idempotency_key_ttl_seconds + 1)
    after_expiry = world.submit(idempotency=KEY, owner_id=1)

    assert len({first.job.id, other_user.job.id, after_expiry.job.id}) == 3


def test_a_failed_submission_releases_its_key_so_the_client_can_try_again(world: World) -> None:
    with pytest.raises(EmptyUpload):
        world.submit(b"", idempotency=KEY)

    submitted = world.submit(idempotency=KEY)

    assert world.job(submitted.job.id).status is JobStatus.QUEUED


def test_a_submit_rings_the_doorbell_before_its_commit_waits_for_the_disk_and_returns_after(world: World) -> None:
    relaxed = world.uow.relaxed_commits

    submitted = world.submit()

    assert world.uow.relaxed_commits - relaxed == 1, "the insert's commit does not wait for the disk"
    assert [d.job_id for d in world.queue.deliveries] == [submitted.job.id]
    assert world.durable_marks == [world.clock.now()], "the mark after the doorbell waits for it, before returning"


def test_a_submit_whose_job_waits_for_admission_commits_durably(world: World) -> None:
    world.limits = ExecutionLimits(dispatch_window=1)
    world.submit()
    relaxed = world.uow.relaxed_commits

    waiting = world.submit()  # no room in its owner's window: no doorbell to ring first

    assert world.job(waiting.job.id).dispatched_at is None
    assert world.uow.relaxed_commits == relaxed


def test_a_submit_whose_doorbell_fails_waits_for_the_disk_with_the_failure_it_records(world: World) -> None:
    world.queue.fail_with = QueueUnavailable("broker down")

    world.submit()

    (row,) = world.uow.state.outbox.values()
    assert (row.publish_failures, row.last_error) == (1, "broker down"), "committed, and that commit waits"
    assert world.durable_marks == []


def test_a_submit_whose_wait_for_the_disk_fails_fails_but_keeps_its_upload(world: World) -> None:
    world.durable_mark_fails = RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        world.submit()

    (job,) = world.uow.state.jobs.values()
    (report,) = world.uow.state.reports.values()
    assert job.status is JobStatus.QUEUED, "committed: the relay or the reconciler takes it from here"
    assert world.blobs.exists(report.blob_key), "the committed job's upload is kept"
