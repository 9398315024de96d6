"""Repositories over the Django ORM. Saves are compare-and-set on the job's event sequence."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from adapters.observability.correlation import audit_ids
from adapters.orm.mappers import (
    event_fields,
    job_fields,
    record_to_event,
    record_to_job,
    record_to_report,
    report_fields,
)
from adapters.orm.models import (
    JobEventRecord,
    JobOutputRecord,
    JobRecord,
    OutboxRecord,
    ReportRecord,
    ScheduleRecord,
    StartBucketRecord,
)
from adapters.orm.prepared import prepared
from adapters.orm.statements import Table
from domain.audit import seal_new_events
from domain.errors import ConcurrentUpdate
from domain.job import Job
from domain.job_event import JobEvent
from domain.job_status import JobStatus
from domain.ports import DispatchLoad, JobCursor, TakenDelivery
from domain.report import Report
from domain.start_bucket import StartBucket

WAITING = [JobStatus.QUEUED.value, JobStatus.RETRYING.value]


JOBS = Table(JobRecord)
EVENTS = Table(JobEventRecord)
REPORTS = Table(ReportRecord)


@functools.cache
def _job_with_its_report() -> str:
    """Parameter: the job's id. The job's columns, locked where the database locks rows, then
    the columns of the report whose job it is (all NULL when none is)."""
    job_id, report_job = f"{JOBS.name}.{JOBS.column('id')}", f"{REPORTS.name}.{REPORTS.column('job_id')}"
    sql = (
        f"SELECT {JOBS.columns}, {REPORTS.columns} FROM {JOBS.name}"
        f" LEFT JOIN {REPORTS.name} ON {report_job} = {job_id} WHERE {job_id} = %s"
    )
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql(of=(JOBS.name,))
    return sql


def _listed(values: Sequence[str]) -> str:
    """A literal SQL list of known values (the registry's kinds, the job statuses), never input:
    a statement built from them is the same on every call, and the plan cache keeps it."""
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")" if values else "(NULL)"


def _awaiting_admission(kinds: Sequence[str]) -> str:
    """The condition of a job of `kinds` that waits for admission: due (the one parameter, the
    time now), waiting and not dispatched yet (the domain's Job.is_waiting, is_due)."""
    return (
        f"status IN {_listed(WAITING)} AND dispatched_at IS NULL AND next_attempt_at <= %s AND kind IN {_listed(kinds)}"
    )


@functools.cache
def _dispatch_load_sql(kinds: tuple[str, ...], exempt_kinds: tuple[str, ...]) -> str:
    """An owner's load for admission (see DispatchLoad); parameters: see `_dispatch_load_values`.
    Each part reads only the rows it counts, through its own index, whatever the owner's
    backlog: running (job_owner_status_newest), dispatched (job_dispatched), and whether
    anything awaits admission (job_awaiting_by_kind, one EXISTS per kind: an equality on the
    kind always seeks its first row, where `kind IN (...)` may be planned as a filter over
    every row of the owner's backlog, as PostgreSQL does with the statistics of a table that
    was empty when last analysed)."""
    limited, waiting, running = _listed(kinds), _listed(WAITING), JobStatus.RUNNING.value
    sql = f"""
        SELECT
            (SELECT COUNT(*) FROM {JOBS.name} WHERE owner_id = %s AND status = '{running}' AND children_total = 0
                AND kind IN {limited}),
            (SELECT COUNT(*) FROM {JOBS.name} WHERE owner_id = %s AND status IN {waiting} AND dispatched_at IS NOT NULL
                AND kind IN {limited}),
            {_any_awaiting(kinds)},
            {_any_awaiting(exempt_kinds)}
    """
    return " ".join(sql.split())


def _any_awaiting(kinds: Sequence[str]) -> str:
    """Whether an owner has a job of `kinds` awaiting admission; parameters: owner and now, per kind."""
    each = [
        f"EXISTS (SELECT 1 FROM {JOBS.name} WHERE owner_id = %s AND {_awaiting_admission([kind])})" for kind in kinds
    ]
    return "(" + " OR ".join(each) + ")" if each else "false"


def _dispatch_load_values(
    owner_id: int, due_before: Any, kinds: Sequence[str], exempt_kinds: Sequence[str]
) -> list[Any]:
    """The parameters of `_dispatch_load_sql(kinds, exempt_kinds)`."""
    return [owner_id, owner_id] + [owner_id, due_before] * (len(kinds) + len(exempt_kinds))


# Columns whose value may be changed in place (a dict): a save always writes them.
_MUTABLE_FIELDS = frozenset({"payload"})


class DjangoJobRepository:
    """One per unit of work. It remembers what the rows of the jobs it read or saved hold, so a
    save updates only the columns that changed (a transition changes a few of the 27: fewer
    values to convert, send and store). A save not committed yet is forgotten on rollback.

    It also remembers which jobs the open transaction read with their row locked: the
    compare-and-set of such a job cannot fail, so its UPDATE needs no answer of its own and
    travels with the transaction's next statement (see DeferredWrites), one round trip less.
    A row read twice in one transaction (two objects of one job) is compared as before."""

    def __init__(self, *, reports: DjangoReportRepository | None = None) -> None:
        self._stored: weakref.WeakKeyDictionary[Job, dict[str, object]] = weakref.WeakKeyDictionary()
        self._saved_since_commit: list[Job] = []
        # the jobs the open transaction read: the object, when its row is locked and it was read once
        self._locked: dict[UUID, Job | None] = {}
        # the unit of work's reports: a job locked to be changed brings its own report along
        self._reports = reports

    def add(self, job: Job) -> None:
        events = self._seal(job)
        fields = job_fields(job)
        JOBS.insert([{"id": job.id, "correlation": job.correlation, **fields}])
        self._append(job, events)
        self._remember_saved(job, fields)
        self._locked[job.id] = None  # inserted here: any other object of it is compared

    def save(self, job: Job) -> None:
        # Compare-and-set: the row must still be at the sequence this job was read at, so the
        # hash it was read with is still its last event's, and the new events chain on it.
        read_at_seq = job.last_event_seq - len(job.new_events)
        read_at_hash = job.last_event_hash
        events = self._seal(job)
        fields = job_fields(job)
        stored = self._stored.get(job)
        changed = (
            fields
            if stored is None
            else {name: value for name, value in fields.items() if name in _MUTABLE_FIELDS or stored[name] != value}
        )
        where = {"id": job.id, "last_event_seq": read_at_seq}
        if self._locked.get(job.id) is job:
            JOBS.update_later(changed, where)
        elif JOBS.update_later_checked(changed, where, error=ConcurrentUpdate(job.id)):
            pass  # a concurrent change fails the transaction's next statement with ConcurrentUpdate
        elif JOBS.update(changed, where) != 1:
            job.last_event_hash = read_at_hash
            raise ConcurrentUpdate(job.id)
        self._append(job, events)
        self._remember_saved(job, fields)

    def committed(self) -> None:
        """The unit of work committed: what was saved is what the rows hold; its locks are gone."""
        self._saved_since_commit = []
        self._locked = {}

    def rolled_back(self) -> None:
        """The unit of work rolled back: the rows of the jobs saved since its commit hold what
        they held before, which is no longer known."""
        for job in self._saved_since_commit:
            self._stored.pop(job, None)
        self._saved_since_commit = []
        self._locked = {}

    def _remember_saved(self, job: Job, fields: dict[str, object]) -> None:
        self._stored[job] = fields
        self._saved_since_commit.append(job)

    def _read(self, record: JobRecord, *, locked: bool = False) -> Job:
        """A job read to be changed and saved: what its row holds is remembered, and whether
        the transaction holds its row's lock (only a database with row locks can)."""
        job = record_to_job(record)
        self._stored[job] = job_fields(job)
        first_read = job.id not in self._locked
        self._locked[job.id] = job if locked and first_read and connection.features.has_select_for_update else None
        return job

    def get(self, job_id: UUID, *, for_update: bool = False) -> Job | None:
        if for_update and self._reports is not None:
            return self._locked_with_its_report(job_id)
        record = JOBS.get(job_id, lock=for_update)
        return self._read(record, locked=for_update) if record else None

    def _locked_with_its_report(self, job_id: UUID) -> Job | None:
        """The job, locked, and in the same statement the report whose job it is, if any, which
        the unit of work's report repository hands out next (an attempt's claim reads both: one
        round trip less for a report's job, an index probe that finds nothing for the others)."""
        with connection.cursor() as cursor:
            cursor.execute(prepared(_job_with_its_report()), [JOBS.prepare_value("id", job_id)])
            row = cursor.fetchone()
        if row is None:
            return None
        report = row[JOBS.width :]
        if self._reports is not None and any(value is not None for value in report):
            self._reports.read_ahead(REPORTS.record(report))
        return self._read(JOBS.record(row[: JOBS.width]), locked=True)

    def get_for_owner(self, job_id: UUID, owner_id: int) -> Job | None:
        # read to show, not to save: nothing to remember (a save of it would write every column)
        record = JobRecord.objects.filter(id=job_id, owner_id=owner_id).first()
        return record_to_job(record) if record else None

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
        records = JobRecord.objects.filter(owner_id=owner_id)
        if status is not None:
            records = records.filter(status=status.value)
        if kind is not None:
            records = records.filter(kind=kind)
        if parent_id is not None:
            records = records.filter(parent_id=parent_id)
        if schedule_id is not None:
            records = records.filter(payload__schedule_id=str(schedule_id))
        return [record_to_job(record) for record in _newest_first(records, after)[:limit]]

    def events(self, job_id: UUID) -> list[JobEvent]:
        return [record_to_event(record) for record in JobEventRecord.objects.filter(job_id=job_id).order_by("seq")]

    def expired_leases(self, now: datetime, *, limit: int) -> list[Job]:
        # the domain's rule (Job.is_lease_expired): running, not waiting on children, and a lease
        # that ran out or is missing
        records = (
            JobRecord.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.RUNNING.value, children_total=0)
            .filter(Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True))
        )
        ordered = records.order_by(F("lease_expires_at").asc(nulls_first=True))
        return [self._read(record, locked=True) for record in ordered[:limit]]

    def overdue(
        self, now: datetime, *, available_before: datetime, limit: int, taken: Collection[TakenDelivery] = ()
    ) -> list[Job]:
        pending = OutboxRecord.objects.filter(job=OuterRef("pk"), published_at__isnull=True)
        due = Q(redelivery_due_at__isnull=True, dispatched_at__lt=available_before) | Q(redelivery_due_at__lte=now)
        for delivery in taken:  # its awaited attempt's delivery was taken by a worker that never ended it
            due |= Q(redelivery_due_at__isnull=True, id=delivery.job_id, attempts=delivery.attempt - 1)
        records = (
            JobRecord.objects.select_for_update(skip_locked=True)
            .filter(status__in=WAITING, dispatched_at__isnull=False)
            .filter(due)
            .filter(~Exists(pending))
        )
        return [self._read(record, locked=True) for record in records.order_by("dispatched_at")[:limit]]

    def dispatch_load(
        self, owner_id: int, now: datetime, *, kinds: Sequence[str], exempt_kinds: Sequence[str] = ()
    ) -> DispatchLoad:
        # Asked on every submit and attempt: one statement built once per set of kinds.
        sql = _dispatch_load_sql(tuple(kinds), tuple(exempt_kinds))
        due_before = JOBS.prepare_value("next_attempt_at", now)
        with connection.cursor() as cursor:
            cursor.execute(prepared(sql), _dispatch_load_values(owner_id, due_before, kinds, exempt_kinds))
            running, dispatched, waiting, exempt_waiting = cursor.fetchone()
        return DispatchLoad(
            running=running, dispatched=dispatched, waiting=bool(waiting), exempt_waiting=bool(exempt_waiting)
        )

    def next_to_dispatch(self, owner_id: int, now: datetime, *, kinds: Sequence[str], limit: int) -> list[Job]:
        records = JOBS.select(
            f"owner_id = %s AND {_awaiting_admission(kinds)}",
            [owner_id, JOBS.prepare_value("next_attempt_at", now), limit],
            tail="ORDER BY priority DESC, next_attempt_at, created_at, id LIMIT %s",
            lock=True,
            skip_locked=True,
        )
        return [self._read(record, locked=True) for record in records]

    def owners_waiting(self, now: datetime, *, kinds: Sequence[str], limit: int) -> list[int]:
        sql = (
            f"SELECT owner_id FROM {JOBS.name} WHERE {_awaiting_admission(kinds)}"
            " GROUP BY owner_id ORDER BY MIN(next_attempt_at), owner_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [JOBS.prepare_value("next_attempt_at", now), limit])
            return [row[0] for row in cursor.fetchall()]

    def list_dead_letters(self, owner_id: int | None, *, after: JobCursor | None = None, limit: int = 50) -> list[Job]:
        records = JobRecord.objects.filter(status=JobStatus.DEAD.value)
        if owner_id is not None:
            records = records.filter(owner_id=owner_id)
        return [record_to_job(record) for record in _newest_first(records, after)[:limit]]

    def children(self, parent_id: UUID, *, for_update: bool = False) -> list[Job]:
        records = JobRecord.objects.select_for_update() if for_update else JobRecord.objects
        ordered = records.filter(parent_id=parent_id).order_by("created_at", "id")
        return [self._read(record, locked=for_update) for record in ordered]

    def save_output(self, job_id: UUID, output: dict[str, Any]) -> None:
        JobOutputRecord.objects.update_or_create(job_id=job_id, defaults={"data": output})

    def children_outputs(self, parent_id: UUID, *, kind: str) -> dict[UUID, dict[str, Any]]:
        outputs = JobOutputRecord.objects.filter(job__parent_id=parent_id, job__kind=kind)
        return {output.job_id: output.data for output in outputs}

    def renew_lease(self, job_id: UUID, attempt: int, *, until: datetime, progress: float | None) -> Job | None:
        fields: dict[str, object] = {"lease_expires_at": until}
        if progress is not None:
            fields["progress"] = min(max(progress, 0.0), 1.0)
        running = JobRecord.objects.filter(id=job_id, status=JobStatus.RUNNING.value, attempts=attempt)
        if running.update(**fields) != 1:
            return None
        record = JobRecord.objects.filter(id=job_id).first()
        return record_to_job(record) if record else None

    @staticmethod
    def _seal(job: Job) -> list[JobEvent]:
        return seal_new_events(job, **audit_ids()) if job.new_events else []

    @staticmethod
    def _append(job: Job, events: list[JobEvent]) -> None:
        if events:
            EVENTS.insert([event_fields(event) for event in events])
            job.new_events = []


def _newest_first(records: QuerySet[JobRecord], after: JobCursor | None) -> QuerySet[JobRecord]:
    if after is not None:
        records = records.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.job_id)
        )
    return records.order_by("-created_at", "-id")


class DjangoStartBucketRepository:
    def lock(self, owner_id: int, *, now: datetime, initial_tokens: float) -> StartBucket:
        record = StartBucketRecord.objects.select_for_update().filter(owner_id=owner_id).first()
        if record is None:
            StartBucketRecord.objects.bulk_create(
                [StartBucketRecord(owner_id=owner_id, tokens=initial_tokens, refilled_at=now)], ignore_conflicts=True
            )
            record = StartBucketRecord.objects.select_for_update().get(owner_id=owner_id)
        return StartBucket(owner_id=owner_id, tokens=record.tokens, refilled_at=record.refilled_at)

    def save(self, bucket: StartBucket) -> None:
        StartBucketRecord.objects.filter(owner_id=bucket.owner_id).update(
            tokens=bucket.tokens, refilled_at=bucket.refilled_at
        )


class DjangoReportRepository:
    def __init__(self) -> None:
        # reports read with their locked job in this transaction, each handed out once by `get`
        self._ahead: dict[UUID, ReportRecord] = {}

    def read_ahead(self, record: ReportRecord) -> None:
        self._ahead[record.id] = record

    def forget_read_ahead(self) -> None:
        """The transaction ended: what was read in it is read again."""
        self._ahead = {}

    def add(self, report: Report) -> None:
        REPORTS.insert([{"id": report.id, **report_fields(report)}])

    def save(self, report: Report) -> None:
        REPORTS.update_later(report_fields(report), {"id": report.id})

    def get(self, report_id: UUID) -> Report | None:
        record = self._ahead.pop(report_id, None) or REPORTS.get(report_id)
        return record_to_report(record) if record else None

    def get_for_owner(self, report_id: UUID, owner_id: int) -> Report | None:
        record = ReportRecord.objects.filter(id=report_id, owner_id=owner_id).first()
        return record_to_report(record) if record else None

    def get_by_job(self, job_id: UUID) -> Report | None:
        record = ReportRecord.objects.filter(job_id=job_id).first()
        return record_to_report(record) if record else None

    def expired(self, before: datetime, *, limit: int) -> list[Report]:
        ended = [status.value for status in JobStatus if status.is_terminal]
        records = (
            ReportRecord.objects.filter(deleted_at=None, created_at__lt=before, job__status__in=ended)
            .exclude(Exists(ScheduleRecord.objects.filter(report_id=OuterRef("id"))))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "id")
        )
        return [record_to_report(record) for record in records[:limit]]

    def blobs_in_use(self, keys: Sequence[str]) -> set[str]:
        return set(ReportRecord.objects.filter(deleted_at=None, blob_key__in=keys).values_list("blob_key", flat=True))
