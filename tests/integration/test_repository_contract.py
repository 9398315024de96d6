"""One contract for both repositories, so the in-memory fakes cannot drift from the ORM."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.audit import first_break
from domain.errors import ConcurrentUpdate, TransientError
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Delivery, JobCursor, UnitOfWork
from domain.profile import DeclaredSchema
from domain.report import DocumentPart, Report, ReportOutput

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def new_job(owner_id: int, at: datetime = T0, max_attempts: int = 3) -> Job:
    return Job.create(
        id=uuid.uuid4(),
        kind="report.process",
        owner_id=owner_id,
        queue="reports",
        max_attempts=max_attempts,
        now=at,
        actor=f"user:{owner_id}",
    )


def add(uow: UnitOfWork, *jobs: Job) -> None:
    with uow:
        for job in jobs:
            uow.jobs.add(job)
        uow.commit()


def test_a_saved_job_reads_back_equal_with_its_events(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    job = new_job(alice)
    job.correlation = {"request_id": "req-1"}
    add(uow, job)
    with uow:
        loaded = uow.jobs.get(job.id, for_update=True)
        assert loaded is not None
        loaded.start(now=T0 + timedelta(seconds=1), worker="w1", lease_seconds=30)
        loaded.retry(TransientError("x"), now=T0 + timedelta(seconds=2), retry_at=T0 + timedelta(seconds=9), actor="w")
        uow.jobs.save(loaded)
        uow.commit()

    with uow:
        again = uow.jobs.get(job.id)
        events = uow.jobs.events(job.id)

    assert again is not None
    assert (again.status, again.attempts, again.error, again.next_attempt_at) == (
        JobStatus.RETRYING,
        1,
        "x",
        T0 + timedelta(seconds=9),
    )
    assert again.new_events == []
    assert [(e.seq, e.from_status, e.to_status, e.attempt) for e in events] == [
        (1, None, JobStatus.QUEUED, 0),
        (2, JobStatus.QUEUED, JobStatus.RUNNING, 1),
        (3, JobStatus.RUNNING, JobStatus.RETRYING, 1),
    ]
    assert events[2].data["error_type"] == "TransientError"
    assert first_break(events, last_hash=again.last_event_hash) is None, "sealed in one chain the job ends"
    assert again.correlation == {"request_id": "req-1"}


def test_work_not_committed_is_rolled_back(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    job = new_job(alice)

    with uow:
        uow.jobs.add(job)

    with uow:
        assert uow.jobs.get(job.id) is None


def test_after_commit_callbacks_run_only_after_a_commit(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    rang: list[str] = []

    with uow:
        uow.jobs.add(new_job(alice))
        uow.after_commit(lambda: rang.append("rolled back"))
    with uow:
        uow.jobs.add(new_job(alice))
        uow.after_commit(lambda: rang.append("committed"))
        uow.commit()

    assert rang == ["committed"]


def test_saving_a_stale_copy_is_refused(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    job = new_job(alice)
    add(uow, job)
    with uow:
        first = uow.jobs.get(job.id)
        second = uow.jobs.get(job.id)
        assert first is not None and second is not None
        first.start(now=T0, worker="w1", lease_seconds=30)
        uow.jobs.save(first)
        second.cancel(now=T0, actor="user")

        with pytest.raises(ConcurrentUpdate):  # by the save, or by the commit the save waits for
            save_and_commit(uow, second)

    with uow:
        after = uow.jobs.get(job.id)
    assert after is not None and after.status == JobStatus.QUEUED, "nothing of that unit of work committed"


def save_and_commit(uow: UnitOfWork, job: Job) -> None:
    uow.jobs.save(job)
    uow.commit()


def test_owners_only_see_their_own_jobs(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    job = new_job(alice)
    add(uow, job)

    with uow:
        assert uow.jobs.get_for_owner(job.id, alice) is not None
        assert uow.jobs.get_for_owner(job.id, bob) is None
        assert uow.jobs.list_for_owner(bob) == []


def test_listing_is_newest_first_filtered_and_resumes_after_a_cursor(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, _ = uow_and_owners
    jobs = [new_job(alice, at=T0 + timedelta(seconds=i // 2)) for i in range(6)]  # pairs share a timestamp
    add(uow, *jobs)
    expected = sorted(jobs, key=lambda j: (j.created_at, j.id), reverse=True)

    with uow:
        first = uow.jobs.list_for_owner(alice, limit=3)
        rest = uow.jobs.list_for_owner(alice, after=JobCursor(created_at=first[-1].created_at, job_id=first[-1].id))
        queued = uow.jobs.list_for_owner(alice, status=JobStatus.QUEUED, kind="report.process")
        none = uow.jobs.list_for_owner(alice, status=JobStatus.RUNNING)
        other_kind = uow.jobs.list_for_owner(alice, kind="other")

    assert [j.id for j in first + rest] == [j.id for j in expected]
    assert len(queued) == 6
    assert none == other_kind == []


DOCUMENTS = {"result.json": DocumentPart("r", 0, 12), "report.html": DocumentPart("r", 12, 30)}


def add_report(uow: UnitOfWork, owner_id: int) -> tuple[Job, Report]:
    job = new_job(owner_id)
    report = Report(
        id=uuid.uuid4(),
        owner_id=owner_id,
        job_id=job.id,
        name="n",
        filename="f.csv",
        blob_key="k",
        size_bytes=3,
        created_at=T0,
        declared_schema=DeclaredSchema(definition={"columns": [{"name": "a", "type": "integer"}]}),
    )
    with uow:
        uow.jobs.add(job)
        uow.reports.add(report)
        uow.commit()
    return job, report


def test_reports_are_found_by_owner_and_by_job(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    job, report = add_report(uow, alice)
    with uow:
        loaded = uow.reports.get_by_job(job.id)
        assert loaded is not None
        loaded.complete(ReportOutput(summary={"rows": 1}, documents=DOCUMENTS), now=T0)
        uow.reports.save(loaded)
        uow.commit()

    with uow:
        mine = uow.reports.get_for_owner(report.id, alice)
        theirs = uow.reports.get_for_owner(report.id, bob)

    assert mine is not None and mine.completed_at == T0
    assert mine.output == ReportOutput(summary={"rows": 1}, documents=DOCUMENTS)
    assert mine.declared_schema == DeclaredSchema(definition={"columns": [{"name": "a", "type": "integer"}]})
    assert theirs is None


@pytest.mark.django_db(transaction=True)
def test_a_report_finished_before_its_documents_shared_a_blob_reads_each_as_a_whole_blob(
    make_user: Callable[[str], int],
) -> None:
    from adapters.orm.models import ReportRecord
    from adapters.orm.unit_of_work import DjangoUnitOfWork

    uow = DjangoUnitOfWork()
    _, report = add_report(uow, make_user("alice"))
    legacy = {"result.json": "results/r1/a-result.json", "report.html": "results/r1/b-report.html"}
    ReportRecord.objects.filter(id=report.id).update(summary={"rows": 1}, documents=legacy)

    with uow:
        loaded = uow.reports.get(report.id)

    assert loaded is not None and loaded.output is not None
    assert loaded.output.documents == {name: DocumentPart(key) for name, key in legacy.items()}
    assert loaded.output.blob_keys == sorted(legacy.values())


MakeUser = Callable[[str], int]


def test_children_and_their_outputs_are_found_through_their_parent(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, _ = uow_and_owners
    parent = new_job(alice)
    kids = [
        Job.create(
            id=uuid.uuid4(),
            kind=kind,
            owner_id=alice,
            queue="reports",
            max_attempts=3,
            now=T0 + timedelta(seconds=i),
            actor="system",
            parent_id=parent.id,
            payload={"index": i},
        )
        for i, kind in enumerate(["report.chunk", "report.chunk", "report.merge"])
    ]
    add(uow, parent, *kids)
    with uow:
        uow.jobs.save_output(kids[1].id, {"part": 1})
        uow.jobs.save_output(kids[0].id, {"part": 0})
        uow.jobs.save_output(kids[0].id, {"part": 0, "again": True})
        uow.commit()

    with uow:
        children = uow.jobs.children(parent.id, for_update=True)
        outputs = uow.jobs.children_outputs(parent.id, kind="report.chunk")
        none = uow.jobs.children_outputs(parent.id, kind="report.merge")

    assert [(c.id, c.payload, c.parent_id) for c in children] == [(k.id, k.payload, parent.id) for k in kids]
    assert outputs == {kids[0].id: {"part": 0, "again": True}, kids[1].id: {"part": 1}}
    assert none == {}


def started(job: Job, *, at: datetime = T0, lease_seconds: float = 30) -> Job:
    job.start(now=at, worker="w", lease_seconds=lease_seconds)
    return job


def test_expired_leases_follow_the_domain_rule_including_a_missing_lease(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, _ = uow_and_owners
    expired, alive, waiting = started(new_job(alice)), started(new_job(alice), lease_seconds=600), new_job(alice)
    missing = started(new_job(alice))
    missing.lease_expires_at = None
    fanned_out = started(new_job(alice))
    fanned_out.fan_out(2, now=T0, actor="w")
    add(uow, expired, alive, waiting, missing, fanned_out)
    now = T0 + timedelta(seconds=60)

    with uow:
        found = {job.id for job in uow.jobs.expired_leases(now, limit=10)}

    assert found == {expired.id, missing.id}
    for job in (expired, alive, waiting, missing, fanned_out):
        assert (job.id in found) == job.is_lease_expired(now), "the query and Job.is_lease_expired agree"


def dispatched(job: Job) -> Job:
    job.dispatch(now=job.created_at)
    return job


def test_overdue_jobs_are_dispatched_long_ago_without_a_pending_delivery(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, _ = uow_and_owners
    lost, recent, pending, running = (
        dispatched(new_job(alice)),
        dispatched(new_job(alice, at=T0 + timedelta(seconds=100))),
        dispatched(new_job(alice)),
        started(dispatched(new_job(alice))),
    )
    held_back = new_job(alice)  # never dispatched: admission's business, not a lost message
    resent = dispatched(new_job(alice))
    resent.redeliver(now=T0, actor="system", next_check_at=T0 + timedelta(seconds=500))
    add(uow, lost, recent, pending, running, held_back, resent)
    with uow:
        uow.outbox.add_many(
            [Delivery(job_id=pending.id, kind=pending.kind, attempt=1, queue="reports")], available_at=T0, now=T0
        )
        uow.commit()
    now = T0 + timedelta(seconds=200)

    with uow:
        found = {job.id for job in uow.jobs.overdue(now, available_before=T0 + timedelta(seconds=50), limit=10)}
        later = {job.id for job in uow.jobs.overdue(T0 + timedelta(seconds=600), available_before=T0, limit=10)}

    assert found == {lost.id}
    assert resent.id in later and lost.id not in later


def test_admission_counts_an_owner_s_running_dispatched_and_held_back_jobs(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, bob = uow_and_owners
    parent = started(new_job(alice))
    parent.fan_out(2, now=T0, actor="w")  # only waits for its children: not counted as running
    later = new_job(alice, at=T0 + timedelta(seconds=60))  # not due yet
    other_kind = Job.create(
        id=uuid.uuid4(), kind="webhook", owner_id=alice, queue="q", max_attempts=1, now=T0, actor="system"
    )
    add(uow, started(new_job(alice)), parent, dispatched(new_job(alice)), new_job(alice), later, new_job(bob))
    add(uow, other_kind)

    with uow:
        load = uow.jobs.dispatch_load(alice, T0 + timedelta(seconds=1), kinds=["report.process"])
        with_exempt = uow.jobs.dispatch_load(
            alice, T0 + timedelta(seconds=1), kinds=["report.process"], exempt_kinds=["webhook"]
        )

    assert (load.running, load.dispatched, load.waiting, load.exempt_waiting) == (1, 1, 1, 0)
    assert (with_exempt.running, with_exempt.waiting, with_exempt.exempt_waiting) == (1, 1, 1)


def test_the_next_jobs_to_dispatch_are_the_owner_s_highest_priority_then_longest_waiting(
    uow_and_owners: tuple[UnitOfWork, int, int],
) -> None:
    uow, alice, bob = uow_and_owners
    first, second = new_job(alice), new_job(alice, at=T0 + timedelta(seconds=1))
    urgent = new_job(alice, at=T0 + timedelta(seconds=2))
    urgent.priority = 10
    add(uow, first, second, urgent, dispatched(new_job(alice)), new_job(bob, at=T0 + timedelta(seconds=3)))
    now = T0 + timedelta(seconds=5)

    with uow:
        order = [job.id for job in uow.jobs.next_to_dispatch(alice, now, kinds=["report.process"], limit=10)]
        owners = uow.jobs.owners_waiting(now, kinds=["report.process"], limit=10)
        none_yet = uow.jobs.owners_waiting(T0 - timedelta(seconds=1), kinds=["report.process"], limit=10)

    assert order == [urgent.id, first.id, second.id]
    assert owners == [alice, bob], "the owner whose job waits longest first"
    assert none_yet == []


def test_an_owner_s_start_bucket_is_created_full_once_and_kept(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners

    with uow:
        bucket = uow.start_buckets.lock(alice, now=T0, initial_tokens=5)
        bucket.take(2)
        uow.start_buckets.save(bucket)
        uow.commit()
    with uow:
        again = uow.start_buckets.lock(alice, now=T0 + timedelta(seconds=30), initial_tokens=5)

    assert (bucket.tokens, again.tokens, again.refilled_at) == (3, 3, T0)


def test_dead_letters_are_dead_jobs_newest_first_by_owner_or_all(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, bob = uow_and_owners
    jobs = [started(new_job(owner, at=T0 + timedelta(seconds=i))) for i, owner in enumerate([alice, bob, alice])]
    for job in jobs:
        job.give_up(TransientError("gone"), now=T0 + timedelta(seconds=9), actor="w")
    add(uow, *jobs, new_job(alice))

    with uow:
        alices = uow.jobs.list_dead_letters(alice)
        everyone = uow.jobs.list_dead_letters(None)
        after_first = uow.jobs.list_dead_letters(
            None, after=JobCursor(created_at=jobs[2].created_at, job_id=jobs[2].id)
        )

    assert [j.id for j in alices] == [jobs[2].id, jobs[0].id]
    assert [j.id for j in everyone] == [jobs[2].id, jobs[1].id, jobs[0].id]
    assert [j.id for j in after_first] == [jobs[1].id, jobs[0].id]


def test_renewing_a_lease_moves_it_only_for_the_running_attempt(uow_and_owners: tuple[UnitOfWork, int, int]) -> None:
    uow, alice, _ = uow_and_owners
    job = started(new_job(alice))
    add(uow, job)
    until = T0 + timedelta(seconds=90)

    with uow:
        renewed = uow.jobs.renew_lease(job.id, 1, until=until, progress=0.25)
        stale = uow.jobs.renew_lease(job.id, 2, until=until, progress=0.5)
        uow.commit()
    with uow:
        again = uow.jobs.get(job.id)

    assert renewed is not None and renewed.lease_expires_at == until and renewed.progress == 0.25
    assert stale is None
    assert again is not None and (again.lease_expires_at, again.progress, again.last_event_seq) == (until, 0.25, 2)
