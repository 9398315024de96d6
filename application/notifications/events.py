"""The events notifications carry, fixed when they happen: a job's end, or a test ping."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from application.jobs.read_models import JobView
from application.notifications.ports import Links
from domain.job import Job
from domain.notifications.endpoint import WebhookEndpoint
from domain.notifications.events import EventType, NotificationEvent
from domain.ports import UnitOfWork


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def job_ended_event(uow: UnitOfWork, job: Job, *, links: Links) -> NotificationEvent:
    """The job as the API shows it to its owner (no traceback, no worker host), with absolute
    links (to its report and, once it succeeded, the result), and for a report's job the
    report's name and summary."""
    view = JobView.of(job, internals=False)
    data: dict[str, Any] = view.model_dump(mode="json", exclude={"error_detail"})
    data["links"] = links.job(view)
    report = uow.reports.get(UUID(str(job.payload["report_id"]))) if job.payload.get("report_id") else None
    if report is not None:
        data["report"] = {
            "id": str(report.id),
            "name": report.name,
            "filename": report.filename,
            "summary": report.summary,
        }
    assert job.finished_at is not None, "only an ended job has an event"
    return NotificationEvent.create(
        id=new_event_id(),
        owner_id=job.owner_id,
        type=EventType.of_job_status(job.status),
        timestamp=job.finished_at,
        data=data,
        job_id=job.id,
    )


def ping_event(endpoint: WebhookEndpoint, *, now: datetime) -> NotificationEvent:
    data = {"endpoint_id": str(endpoint.id), "url": endpoint.url, "message": "a test event from reportflow"}
    return NotificationEvent.create(
        id=new_event_id(), owner_id=endpoint.owner_id, type=EventType.PING, timestamp=now, data=data, job_id=None
    )
