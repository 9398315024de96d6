"""Explicit mapping between domain objects and database records."""

from __future__ import annotations

from typing import Any

from adapters.orm.models import JobEventRecord, JobRecord, ReportRecord
from domain.job import Job
from domain.job_event import JobEvent
from domain.job_status import JobStatus
from domain.profile import DeclaredSchema
from domain.report import DocumentPart, Report, ReportOutput


def record_to_job(record: JobRecord) -> Job:
    return Job(
        id=record.id,
        kind=record.kind,
        owner_id=record.owner_id,
        queue=record.queue,
        status=JobStatus(record.status),
        attempts=record.attempts,
        max_attempts=record.max_attempts,
        progress=record.progress,
        priority=record.priority,
        worker=record.worker,
        error=record.error,
        error_detail=record.error_detail,
        cancel_requested=record.cancel_requested,
        parent_id=record.parent_id,
        payload=record.payload,
        children_total=record.children_total,
        children_done=record.children_done,
        last_event_seq=record.last_event_seq,
        last_event_hash=record.last_event_hash,
        created_at=record.created_at,
        updated_at=record.updated_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        next_attempt_at=record.next_attempt_at,
        dispatched_at=record.dispatched_at,
        redelivery_due_at=record.redelivery_due_at,
        redeliveries=record.redeliveries,
        lease_expires_at=record.lease_expires_at,
        correlation=record.correlation,
    )


def job_fields(job: Job) -> dict[str, object]:
    """The record's columns for `job`, except its primary key."""
    return {
        "owner_id": job.owner_id,
        "kind": job.kind,
        "queue": job.queue,
        "status": job.status.value,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "progress": job.progress,
        "priority": job.priority,
        "worker": job.worker,
        "error": job.error,
        "error_detail": job.error_detail,
        "cancel_requested": job.cancel_requested,
        "parent_id": job.parent_id,
        "payload": job.payload,
        "children_total": job.children_total,
        "children_done": job.children_done,
        "last_event_seq": job.last_event_seq,
        "last_event_hash": job.last_event_hash,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "next_attempt_at": job.next_attempt_at,
        "dispatched_at": job.dispatched_at,
        "redelivery_due_at": job.redelivery_due_at,
        "redeliveries": job.redeliveries,
        "lease_expires_at": job.lease_expires_at,
    }


def event_fields(event: JobEvent) -> dict[str, object]:
    """The record's columns for `event`, except its generated primary key."""
    return {
        "job_id": event.job_id,
        "seq": event.seq,
        "from_status": event.from_status.value if event.from_status else "",
        "to_status": event.to_status.value,
        "attempt": event.attempt,
        "actor": event.actor,
        "at": event.at,
        "message": event.message,
        "data": event.data,
        "request_id": event.request_id,
        "token_id": event.token_id,
        "hash": event.hash,
    }


def record_to_event(record: JobEventRecord) -> JobEvent:
    return JobEvent(
        job_id=record.job_id,
        seq=record.seq,
        from_status=JobStatus(record.from_status) if record.from_status else None,
        to_status=JobStatus(record.to_status),
        attempt=record.attempt,
        actor=record.actor,
        at=record.at,
        message=record.message,
        data=record.data,
        request_id=record.request_id,
        token_id=record.token_id,
        hash=record.hash,
    )


def record_to_report(record: ReportRecord) -> Report:
    return Report(
        id=record.id,
        owner_id=record.owner_id,
        job_id=record.job_id,
        name=record.name,
        filename=record.filename,
        blob_key=record.blob_key,
        size_bytes=record.size_bytes,
        content_type=record.content_type,
        declared_schema=None if record.declared_schema is None else DeclaredSchema(definition=record.declared_schema),
        created_at=record.created_at,
        output=(
            ReportOutput(summary=record.summary, documents=documents_from_json(record.documents))
            if record.summary is not None
            else None
        ),
        completed_at=record.completed_at,
        deleted_at=record.deleted_at,
    )


def report_fields(report: Report) -> dict[str, object]:
    return {
        "owner_id": report.owner_id,
        "job_id": report.job_id,
        "name": report.name,
        "filename": report.filename,
        "blob_key": report.blob_key,
        "size_bytes": report.size_bytes,
        "content_type": report.content_type,
        "declared_schema": None if report.declared_schema is None else report.declared_schema.definition,
        "created_at": report.created_at,
        "summary": report.output.summary if report.output else None,
        "documents": documents_to_json(report.output.documents) if report.output else {},
        "completed_at": report.completed_at,
        "deleted_at": report.deleted_at,
    }


def documents_to_json(documents: dict[str, DocumentPart]) -> dict[str, object]:
    return {name: {"key": part.key, "offset": part.offset, "length": part.length} for name, part in documents.items()}


def documents_from_json(documents: dict[str, Any]) -> dict[str, DocumentPart]:
    """Reports finished before the documents shared one blob name a whole blob per document."""
    return {
        name: DocumentPart(part) if isinstance(part, str) else DocumentPart(part["key"], part["offset"], part["length"])
        for name, part in documents.items()
    }
