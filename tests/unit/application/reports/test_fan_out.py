"""Large reports fan out into chunk jobs; the last chunk starts one merge; the merge finishes the report."""

from __future__ import annotations

from application.jobs.pipeline import Outcome
from domain.errors import InvalidReportFile, TransientError
from domain.job_status import JobStatus
from tests.unit.application.conftest import World

BIG = b"a,b\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(100, 160))  # 60 rows: above fan_out_bytes


def test_a_large_report_is_split_into_chunk_jobs_visible_as_children(world: World) -> None:
    submitted = world.submit(BIG)

    outcome = world.process(submitted.job.id, attempt=1)

    parent = world.job(submitted.job.id)
    children = [job for job in world.uow.state.jobs.values() if job.parent_id == parent.id]
    assert outcome.outcome is Outcome.FANNED_OUT
    assert (parent.status, parent.children_total, parent.lease_expires_at) == (JobStatus.RUNNING, 30, None)
    assert {c.kind for c in children} == {"report.chunk"}
    assert sorted(c.payload["index"] for c in children) == list(range(30))
    assert len(world.queue.deliveries) == 1 + 30, "every chunk was published at once"


def test_the_merged_result_counts_every_row_once_and_progress_moves_with_the_chunks(world: World) -> None:
    submitted = world.submit(BIG)
    world.queue.deliveries.clear()
    world.process(submitted.job.id, attempt=1)
    progress = []

    for delivery in list(world.queue.deliveries):
        world.queue.deliveries.remove(delivery)
        world.process(delivery.job_id, delivery.attempt)
        progress.append(world.job(submitted.job.id).progress)
    world.run_queue()

    parent = world.job(submitted.job.id)
    merges = [job for job in world.uow.state.jobs.values() if job.kind == "report.merge"]
    assert progress == sorted(progress) and progress[-1] == 0.95
    assert len(merges) == 1 and merges[0].status is JobStatus.SUCCEEDED
    assert (parent.status, parent.progress) == (JobStatus.SUCCEEDED, 1.0)
    assert world.result_of(submitted.report_id) == {"summary": {"rows": 60, "columns": 2}, "chunks": 30}


def test_a_chunk_that_fails_transiently_is_retried_on_its_own(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)
    world.fail_next(TransientError("storage hiccup"))

    world.run_queue()
    world.clock.advance(10)
    world.relay()
    world.run_queue()

    assert world.job(submitted.job.id).status is JobStatus.SUCCEEDED
    retried = [job for job in world.uow.state.jobs.values() if job.kind == "report.chunk" and job.attempts == 2]
    assert len(retried) == 1
    assert world.result_of(submitted.report_id)["summary"]["rows"] == 60


def test_a_chunk_that_fails_for_good_fails_the_report_and_cancels_the_other_chunks(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)
    world.fail_next(InvalidReportFile("unbalanced quote at line 42"))

    world.run_queue()

    parent = world.job(submitted.job.id)
    chunks = [job for job in world.uow.state.jobs.values() if job.kind == "report.chunk"]
    assert (parent.status, parent.error) == (JobStatus.FAILED, "unbalanced quote at line 42")
    assert sum(c.status is JobStatus.FAILED for c in chunks) == 1
    assert sum(c.status is JobStatus.CANCELLED for c in chunks) == 29
    assert not [job for job in world.uow.state.jobs.values() if job.kind == "report.merge"]


def test_cancelling_a_fanned_out_report_cancels_its_chunks(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)

    view = world.cancel(submitted.job.id)
    outcomes = world.run_queue()

    chunks = [job for job in world.uow.state.jobs.values() if job.kind == "report.chunk"]
    assert view.status is JobStatus.CANCELLED
    assert {c.status for c in chunks} == {JobStatus.CANCELLED}
    assert {o.outcome for o in outcomes} == {Outcome.SKIPPED}


def test_a_chunk_delivered_twice_counts_once(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)
    first = world.queue.deliveries[0]

    world.process(first.job_id, first.attempt)
    again = world.process(first.job_id, first.attempt)

    assert again.outcome is Outcome.SKIPPED
    assert world.job(submitted.job.id).children_done == 1


def test_a_small_report_is_profiled_in_one_pass(world: World) -> None:
    submitted = world.submit()

    outcome = world.process(submitted.job.id, attempt=1)

    assert outcome.outcome is Outcome.SUCCEEDED
    assert not [job for job in world.uow.state.jobs.values() if job.parent_id]


def test_a_replayed_report_merges_only_the_chunks_of_its_new_plan(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)
    first_plan = [d.job_id for d in world.queue.deliveries]
    world.queue.deliveries.clear()
    for chunk in first_plan[:10]:  # a third of the chunks succeed...
        world.process(chunk, 1)
    world.fail_next(*[TransientError("storage down")] * 3)
    for attempt in (1, 2, 3):  # ...then one uses up its attempts, and the report dies with it
        world.process(first_plan[10], attempt)
        world.clock.advance(60)  # its retry comes due
    assert world.job(submitted.job.id).status is JobStatus.DEAD

    world.replay(submitted.job.id)
    world.run_queue()

    parent = world.job(submitted.job.id)
    assert parent.status is JobStatus.SUCCEEDED
    assert len([job for job in world.uow.state.jobs.values() if job.kind == "report.chunk"]) == 60
    assert world.result_of(submitted.report_id) == {"summary": {"rows": 60, "columns": 2}, "chunks": 30}


def test_a_chunk_of_an_earlier_plan_that_finishes_late_is_not_counted(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)
    straggler, doomed = world.queue.deliveries[0], world.queue.deliveries[1]
    world.queue.deliveries.clear()

    def meanwhile() -> None:  # while the straggler works: the report dies, is replayed, re-planned
        world.report_engine.during = None
        world.fail_next(*[TransientError("storage down")] * 3)
        for attempt in (1, 2, 3):
            world.process(doomed.job_id, attempt)
            world.clock.advance(60)  # its retry comes due
        world.replay(submitted.job.id)
        world.process(submitted.job.id, 2)

    world.report_engine.during = meanwhile
    world.process(straggler.job_id, straggler.attempt)

    parent = world.job(submitted.job.id)
    assert (parent.status, parent.children_total, parent.children_done) == (JobStatus.RUNNING, 30, 0)


def test_a_chunk_whose_workers_keep_dying_takes_its_report_to_the_dead_letters(world: World) -> None:
    submitted = world.submit(BIG)
    world.run_queue(limit=1)
    chunk = world.queue.deliveries[0].job_id
    for attempt in (1, 2, 3):  # claimed, then its worker dies without a word, each time
        with world.uow as uow:
            job = uow.jobs.get(chunk)
            assert job is not None
            job.start(now=world.clock.now(), worker=f"doomed-{attempt}", lease_seconds=world.settings.lease_seconds)
            uow.jobs.save(job)
            uow.commit()
        world.clock.advance(world.settings.lease_seconds + 1)
        world.reconcile()

    assert world.job(chunk).status is JobStatus.DEAD
    assert world.job(submitted.job.id).status is JobStatus.DEAD
    siblings = [j for j in world.uow.state.jobs.values() if j.kind == "report.chunk" and j.id != chunk]
    assert {j.status for j in siblings} == {JobStatus.CANCELLED}
