"""The audit trail's hash chain: each event of a job is sealed with the SHA-256 of its fields
and of the hash of the job's previous event, so an event changed or removed behind the
database's append-only triggers breaks the chain from that event on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC

from domain.job import Job
from domain.job_event import JobEvent


def canonical(event: JobEvent) -> bytes:
    """The event's fields as sorted, compact JSON; its time in UTC to the microsecond."""
    fields = {
        "job_id": str(event.job_id),
        "seq": event.seq,
        "from_status": event.from_status.value if event.from_status else "",
        "to_status": event.to_status.value,
        "attempt": event.attempt,
        "actor": event.actor,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "message": event.message,
        "data": event.data,
        "request_id": event.request_id,
        "token_id": event.token_id,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: JobEvent, previous: str) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(event)).hexdigest()


def sealed(events: Sequence[JobEvent], *, previous: str) -> list[JobEvent]:
    """`events`, in order, each with its hash, chained on from `previous` (the hash of the
    job's last stored event, "" for a new job)."""
    out = []
    for event in events:
        event = replace(event, hash=event_hash(event, previous))
        previous = event.hash
        out.append(event)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokenChain:
    seq: int  # the first event whose stored hash does not follow from its fields and its predecessor
    reason: str


def first_break(events: Iterable[JobEvent], *, last_hash: str) -> BrokenChain | None:
    """Recompute a job's chain from its stored events (in seq order). Events stored before
    the chain existed (no hash) may only come first. `last_hash` is the hash the job row
    holds for its last event: a missing or removed last event breaks there."""
    previous, seq, chained = "", 0, False
    for event in events:
        if event.seq != seq + 1:
            return BrokenChain(seq=seq + 1, reason=f"event {seq + 1} is missing")
        seq = event.seq
        if not event.hash and not chained:
            continue  # written before the audit chain existed
        chained = True
        if event.hash != event_hash(event, previous):
            return BrokenChain(seq=event.seq, reason="its hash does not match its fields and its predecessor")
        previous = event.hash
    if previous != last_hash:
        return BrokenChain(seq=seq, reason="the job's last event hash does not match its last event")
    return None


def seal_new_events(job: Job, *, request_id: str = "", token_id: str = "") -> list[JobEvent]:
    """The job's new events, stamped with who asked and sealed on its last stored event's
    hash; the job then holds the hash of the last of them. For the repository saving it."""
    stamped = [
        replace(event, request_id=event.request_id or request_id, token_id=event.token_id or token_id)
        for event in job.new_events
    ]
    events = sealed(stamped, previous=job.last_event_hash)
    if events:
        job.last_event_hash = events[-1].hash
    return events
