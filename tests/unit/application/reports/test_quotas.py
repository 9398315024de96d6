from __future__ import annotations

import pytest

from application.errors import BacklogFull, StorageQuotaExceeded, TooManyQueued
from application.reports.delete import DeleteReport, DeleteReportHandler
from application.reports.quotas import SubmissionQuotas
from tests.unit.application.conftest import World


def test_a_user_with_as_many_unfinished_jobs_as_allowed_is_refused_and_nothing_is_stored(world: World) -> None:
    world.quotas = SubmissionQuotas(max_queued=2)
    world.submit(owner_id=1)
    world.submit(owner_id=1)
    stored = dict(world.blobs.blobs)

    with pytest.raises(TooManyQueued) as refused:
        world.submit(owner_id=1)

    assert refused.value.limit == 2
    assert world.blobs.blobs == stored
    assert len(world.uow.state.jobs) == 2


def test_the_unfinished_limit_is_per_user_and_ended_jobs_do_not_count(world: World) -> None:
    world.quotas = SubmissionQuotas(max_queued=1)
    first = world.submit(owner_id=1)

    world.submit(owner_id=2)
    world.run_queue()
    world.submit(owner_id=1)

    assert world.job(first.job.id).status == "succeeded"
    assert len(world.uow.state.jobs) == 3


def test_an_upload_that_would_pass_the_storage_quota_is_refused_with_the_usage(world: World) -> None:
    world.quotas = SubmissionQuotas(max_stored_bytes=20)
    world.submit(b"a,b\n1,2\n3,4\n")  # 12 bytes

    with pytest.raises(StorageQuotaExceeded) as refused:
        world.submit(b"a,b\n1,2\n3,4\n")

    assert (refused.value.limit_bytes, refused.value.used_bytes) == (20, 12)
    world.submit(b"a\n1\n2\n", owner_id=2)  # another user's quota is their own


def test_deleting_a_report_gives_its_bytes_back(world: World) -> None:
    world.quotas = SubmissionQuotas(max_stored_bytes=20)
    first = world.submit(b"a,b\n1,2\n3,4\n")
    world.run_queue()

    DeleteReportHandler(uow=world.fresh_uow(), blobs=world.blobs, clock=world.clock)(
        DeleteReport(owner_id=1, report_id=first.report_id)
    )
    world.submit(b"a,b\n1,2\n3,4\n")

    assert len(world.uow.state.reports) == 2


def test_a_full_backlog_refuses_every_user_until_it_drains(world: World) -> None:
    world.quotas = SubmissionQuotas(max_backlog=2, backlog_retry_after_seconds=15)
    world.submit(owner_id=1)
    world.submit(owner_id=2)

    with pytest.raises(BacklogFull) as refused:
        world.submit(owner_id=3)
    world.run_queue()
    world.submit(owner_id=3)

    assert refused.value.retry_after_seconds == 15


def test_an_idempotent_replay_is_answered_even_when_a_quota_is_reached(world: World) -> None:
    from application.reports.submit import IdempotencyKey

    world.quotas = SubmissionQuotas(max_queued=1)
    key = IdempotencyKey(key="k1", fingerprint="f")
    first = world.submit(idempotency=key)

    again = world.submit(idempotency=key)

    assert again.job.id == first.job.id


def test_a_refused_submission_leaves_its_idempotency_key_free(world: World) -> None:
    from application.reports.submit import IdempotencyKey

    world.quotas = SubmissionQuotas(max_queued=1)
    world.submit()
    key = IdempotencyKey(key="k1", fingerprint="f")
    with pytest.raises(TooManyQueued):
        world.submit(idempotency=key)
    world.quotas = SubmissionQuotas(max_queued=2)

    accepted = world.submit(idempotency=key)

    assert len(world.uow.state.jobs) == 2
    assert accepted.job.id in world.uow.state.jobs
