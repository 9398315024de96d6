"""The audit hash chain: sealed events verify, and any change names the first broken event."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from domain.audit import event_hash, first_break, seal_new_events, sealed
from domain.job import Job
from domain.job_event import JobEvent

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def three_events() -> tuple[Job, list[JobEvent]]:
    job = Job.create(id=uuid.uuid4(), kind="k", owner_id=1, queue="q", max_attempts=1, now=NOW, actor="user:1")
    job.start(now=NOW, worker="w1", lease_seconds=30)
    job.succeed(now=NOW, actor="worker:w1")
    return job, seal_new_events(job, request_id="req-1", token_id="tok-1")


def test_sealed_events_verify_and_the_job_holds_the_last_hash() -> None:
    job, events = three_events()

    assert first_break(events, last_hash=job.last_event_hash) is None
    assert job.last_event_hash == events[-1].hash
    assert {(e.request_id, e.token_id) for e in events} == {("req-1", "tok-1")}


def test_a_changed_field_breaks_the_chain_at_that_event() -> None:
    job, events = three_events()
    events[1] = replace(events[1], message="rewritten")

    broken = first_break(events, last_hash=job.last_event_hash)

    assert broken is not None and broken.seq == 2


def test_a_removed_event_breaks_the_chain_where_it_was() -> None:
    job, events = three_events()

    broken = first_break([events[0], events[2]], last_hash=job.last_event_hash)

    assert broken is not None and broken.seq == 2 and "missing" in broken.reason


def test_events_written_before_the_chain_existed_may_only_come_first() -> None:
    job, events = three_events()
    legacy = [replace(e, hash="") for e in events[:2]]
    chained = sealed([events[2]], previous="")

    assert first_break([*legacy, *chained], last_hash=chained[-1].hash) is None
    assert first_break([events[0], replace(events[1], hash=""), events[2]], last_hash=job.last_event_hash) is not None


def test_the_hash_depends_on_the_predecessor() -> None:
    _, events = three_events()

    assert event_hash(events[0], "") != event_hash(events[0], "0" * 64)
