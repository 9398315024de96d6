from __future__ import annotations

from application.reports.retention import ApplyRetentionHandler, Retention, RetentionReport
from tests.unit.application.conftest import World

DAY = 86400


def apply(world: World, days: float, batch_size: int = 500) -> RetentionReport:
    retention = Retention(days=days, batch_size=batch_size)
    return ApplyRetentionHandler(uow=world.fresh_uow(), blobs=world.blobs, clock=world.clock, retention=retention)()


def test_reports_older_than_the_retention_period_lose_their_files_in_batches(world: World) -> None:
    old = [world.submit() for _ in range(5)]
    world.run_queue()
    world.clock.advance(10 * DAY)
    recent = world.submit()
    world.run_queue()
    world.clock.advance(DAY)

    report = apply(world, days=7, batch_size=2)

    reports = world.uow.state.reports
    assert report.reports_deleted == 5
    assert report.blobs_deleted == 5 * 2  # the upload and the blob of its four documents, each
    assert all(reports[s.report_id].deleted_at == world.clock.now() for s in old)
    assert reports[recent.report_id].deleted_at is None
    assert reports[recent.report_id].blob_key in world.blobs.blobs


def test_retention_keeps_what_a_schedule_runs_from_and_what_has_not_ended(world: World) -> None:
    scheduled = world.submit()
    world.run_queue()
    world.create_schedule(scheduled.report_id, "0 0 1 1 *")
    waiting = world.submit()
    world.clock.advance(30 * DAY)

    report = apply(world, days=7)

    assert report == RetentionReport()
    assert world.uow.state.reports[scheduled.report_id].deleted_at is None
    assert world.uow.state.reports[waiting.report_id].deleted_at is None


def test_zero_days_keeps_everything(world: World) -> None:
    world.submit()
    world.run_queue()
    world.clock.advance(3650 * DAY)

    assert apply(world, days=0) == RetentionReport()
