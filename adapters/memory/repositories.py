"""Repositories over plain dicts. They hand out copies, so nothing changes until `save`."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.audit import seal_new_events
from domain.errors import ConcurrentUpdate
from domain.job import Job
from domain.job_event import JobEvent
from domain.job_status import JobStatus
from domain.notifications.delivery import WebhookDelivery
from domain.notifications.endpoint import WebhookEndpoint
from domain.notifications.events import NotificationEvent
from domain.notifications.preferences import EmailPreferences
from domain.ports import DispatchLoad, IdempotencyRecord, JobCursor, OutboxEntry, ScheduledRun, TakenDelivery
from domain.report import Report
from domain.schedule import Schedule, SchedulerLease
from domain.start_bucket import StartBucket


@dataclass
class InMemoryState:
    """Everything the in-memory repositories hold; a unit of work works on a copy of it."""

    jobs: dict[UUID, Job] = field(default_factory=dict)
    events: dict[UUID, list[JobEvent]] = field(default_factory=dict)
    reports: dict[UUID, Report] = field(default_factory=dict)
    outbox: dict[int, OutboxRow] = field(default_factory=dict)
    idempotency: dict[tuple[int, str], IdempotencyRow] = field(default_factory=dict)
    dead_messages: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    start_buckets: dict[int, StartBucket] = field(default_factory=dict)
    schedules: dict[UUID, Schedule] = field(default_factory=dict)
    schedule_runs: list[ScheduledRun] = field(default_factory=list)
    scheduler_leases: dict[str, SchedulerLease] = field(default_factory=dict)
    webhook_endpoints: dict[UUID, WebhookEndpoint] = field(default_factory=dict)
    webhook_deliveries: dict[UUID, WebhookDelivery] = field(default_factory=dict)
    notification_events: dict[str, NotificationEvent] = field(default_factory=dict)
    email_preferences: dict[int, EmailPreferences] = field(default_factory=dict)


@dataclass
class OutboxRow:
    entry: OutboxEntry
    published_at: datetime | None = None
    publish_failures: int = 0
    last_error: str = ""


@dataclass
class IdempotencyRow:
    record: IdempotencyRecord
    expires_at: datetime


def _stored(job: Job) -> Job:
    kept = copy.deepcopy(job)
    kept.new_events = []
    return kept


class InMemoryJobRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, job: Job) -> None:
        if job.id in self._state.jobs:
            raise ValueError(f"job {job.id} exists")
        self._state.events[job.id] = []
        self.save(job)

    def save(self, job: Job) -> None:
        stored = self._state.jobs.get(job.id)
        if stored is not None and stored.last_event_seq != job.last_event_seq - len(job.new_events):
            raise ConcurrentUpdate(job.id)
        self._state.events[job.id].extend(seal_new_events(job))
        job.new_events = []
        self._state.jobs[job.id] = _stored(job)

    def get(self, job_id: UUID, *, for_update: bool = False) -> Job | None:
        job = self._state.jobs.get(job_id)
        return copy.deepcopy(job) if job else None

    def get_for_owner(self, job_id: UUID, owner_id: int) -> Job | None:
        job = self.get(job_id)
        return job if job and job.owner_id == owner_id else None

    def list_for_owner(
        self,
        owner_id: int,
        *,
        status: JobStatus | None = None,
        kind: str | None = None,
        parent_id: UUID | None = None,
        schedule_id: UUID | None = None,
        after: JobCursor | None = None,
        limit: int = 50,
    ) -> list[Job]:
        jobs = sorted(
            (
                job
                for job in self._state.jobs.values()
                if job.owner_id == owner_id
                and (status is None or job.status == status)
                and (kind is None or job.kind == kind)
                and (parent_id is None or job.parent_id == parent_id)
                and (schedule_id is None or job.payload.get("schedule_id") == str(schedule_id))
                and (after is None or (job.created_at, job.id) < (after.created_at, after.job_id))
            ),
            key=lambda job: (job.created_at, job.id),
            reverse=True,
        )
        return [copy.deepcopy(job) for job in jobs[:limit]]

    def events(self, job_id: UUID) -> list[JobEvent]:
        return list(self._state.events.get(job_id, []))

    def expired_leases(self, now: datetime, *, limit: int) -> list[Job]:
        return [copy.deepcopy(j) for j in self._state.jobs.values() if j.is_lease_expired(now)][:limit]

    def overdue(
        self, now: datetime, *, available_before: datetime, limit: int, taken: Collection[TakenDelivery] = ()
    ) -> list[Job]:
        pending = {row.entry.delivery.job_id for row in self._state.outbox.values() if row.published_at is None}
        awaited_taken = {(delivery.job_id, delivery.attempt) for delivery in taken}

        def is_due(job: Job) -> bool:
            if job.redelivery_due_at is not None:
                return job.redelivery_due_at <= now
            if (job.id, job.attempts + 1) in awaited_taken:
                return True
            return job.dispatched_at is not None and job.dispatched_at < available_before

        overdue = [
            job
            for job in self._state.jobs.values()
            if job.is_waiting and job.dispatched_at is not None and job.id not in pending and is_due(job)
        ]
        return [copy.deepcopy(job) for job in sorted(overdue, key=lambda job: job.dispatched_at or now)[:limit]]

    def dispatch_load(
        self, owner_id: int, now: datetime, *, kinds: Sequence[str], exempt_kinds: Sequence[str] = ()
    ) -> DispatchLoad:
        owned = [job for job in self._state.jobs.values() if job.owner_id == owner_id]
        jobs = [job for job in owned if job.kind in kinds]
        exempt = [job for job in owned if job.kind in exempt_kinds]
        return DispatchLoad(
            running=sum(job.status is JobStatus.RUNNING and not job.children_total for job in jobs),
            dispatched=sum(job.is_waiting and job.dispatched_at is not None for job in jobs),
            waiting=any(job.is_due(now) and job.dispatched_at is None for job in jobs),
            exempt_waiting=any(job.is_due(now) and job.dispatched_at is None for job in exempt),
        )

    def next_to_dispatch(self, owner_id: int, now: datetime, *, kinds: Sequence[str], limit: int) -> list[Job]:
        waiting = [job for job in self._awaiting_admission(now, kinds) if job.owner_id == owner_id]
        # a stable sort: jobs created at the same instant keep the order they were added in
        waiting.sort(key=lambda job: (-job.priority, job.next_attempt_at or now, job.created_at))
        return [copy.deepcopy(job) for job in waiting[:limit]]

    def owners_waiting(self, now: datetime, *, kinds: Sequence[str], limit: int) -> list[int]:
        oldest: dict[int, datetime] = {}
        for job in self._awaiting_admission(now, kinds):
            since = job.next_attempt_at or now
            oldest[job.owner_id] = min(oldest.get(job.owner_id, since), since)
        return sorted(oldest, key=lambda owner: (oldest[owner], owner))[:limit]

    def _awaiting_admission(self, now: datetime, kinds: Sequence[str]) -> list[Job]:
        return [
            job
            for job in self._state.jobs.values()
            if job.kind in kinds and job.is_due(now) and job.dispatched_at is None
        ]

    def list_dead_letters(self, owner_id: int | None, *, after: JobCursor | None = None, limit: int = 50) -> list[Job]:
        owners = {owner_id} if owner_id is not None else {job.owner_id for job in self._state.jobs.values()}
        dead = [
            job
            for owner in owners
            for job in self.list_for_owner(owner, status=JobStatus.DEAD, after=after, limit=limit)
        ]
        return sorted(dead, key=lambda job: (job.created_at, job.id), reverse=True)[:limit]

    def children(self, parent_id: UUID, *, for_update: bool = False) -> list[Job]:
        kids = [job for job in self._state.jobs.values() if job.parent_id == parent_id]
        return [copy.deepcopy(job) for job in sorted(kids, key=lambda job: (job.created_at, job.id))]

    def save_output(self, job_id: UUID, output: dict[str, Any]) -> None:
        self._state.outputs[job_id] = copy.deepcopy(output)

    def children_outputs(self, parent_id: UUID, *, kind: str) -> dict[UUID, dict[str, Any]]:
        return {
            job.id: copy.deepcopy(self._state.outputs[job.id])
            for job in self.children(parent_id)
            if job.kind == kind and job.id in self._state.outputs
        }

    def renew_lease(self, job_id: UUID, attempt: int, *, until: datetime, progress: float | None) -> Job | None:
        job = self._state.jobs.get(job_id)
        if job is None or job.status != JobStatus.RUNNING or job.attempts != attempt:
            return None
        job.lease_expires_at = until
        if progress is not None:
            job.progress = min(max(progress, 0.0), 1.0)
        return copy.deepcopy(job)


class InMemoryStartBucketRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def lock(self, owner_id: int, *, now: datetime, initial_tokens: float) -> StartBucket:
        bucket = self._state.start_buckets.setdefault(
            owner_id, StartBucket(owner_id=owner_id, tokens=initial_tokens, refilled_at=now)
        )
        return copy.deepcopy(bucket)

    def save(self, bucket: StartBucket) -> None:
        self._state.start_buckets[bucket.owner_id] = copy.deepcopy(bucket)


class InMemoryReportRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, report: Report) -> None:
        if report.id in self._state.reports:
            raise ValueError(f"report {report.id} exists")
        self.save(report)

    def save(self, report: Report) -> None:
        self._state.reports[report.id] = copy.deepcopy(report)

    def get(self, report_id: UUID) -> Report | None:
        report = self._state.reports.get(report_id)
        return copy.deepcopy(report) if report else None

    def get_for_owner(self, report_id: UUID, owner_id: int) -> Report | None:
        report = self._state.reports.get(report_id)
        return copy.deepcopy(report) if report and report.owner_id == owner_id else None

    def get_by_job(self, job_id: UUID) -> Report | None:
        report = next((r for r in self._state.reports.values() if r.job_id == job_id), None)
        return copy.deepcopy(report) if report else None

    def expired(self, before: datetime, *, limit: int) -> list[Report]:
        sources = {schedule.report_id for schedule in self._state.schedules.values()}
        found = [
            report
            for report in self._state.reports.values()
            if not report.is_deleted
            and report.created_at < before
            and self._state.jobs[report.job_id].status.is_terminal
            and report.id not in sources
        ]
        return [copy.deepcopy(report) for report in sorted(found, key=lambda r: (r.created_at, r.id))[:limit]]

    def blobs_in_use(self, keys: Sequence[str]) -> set[str]:
        return {r.blob_key for r in self._state.reports.values() if not r.is_deleted and r.blob_key in keys}


class InMemoryDeadMessageRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, *, task: str, payload: dict[str, Any], reason: str, received_at: datetime) -> None:
        self._state.dead_messages.append({"task": task, "payload": payload, "reason": reason, "at": received_at})

    def count(self) -> int:
        return len(self._state.dead_messages)
