"""Notification events: what happened, fixed once, delivered as the same bytes every time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.job_status import JobStatus


class EventType(StrEnum):
    JOB_SUCCEEDED = "job.succeeded"
    JOB_FAILED = "job.failed"
    JOB_DEAD = "job.dead"
    JOB_CANCELLED = "job.cancelled"
    PING = "ping"  # sent on request to check an endpoint; nobody subscribes to it

    @classmethod
    def of_job_status(cls, status: JobStatus) -> EventType:
        """The event a job's terminal status produces."""
        return _EVENT_OF_STATUS[status]


_EVENT_OF_STATUS = {
    JobStatus.SUCCEEDED: EventType.JOB_SUCCEEDED,
    JobStatus.FAILED: EventType.JOB_FAILED,
    JobStatus.DEAD: EventType.JOB_DEAD,
    JobStatus.CANCELLED: EventType.JOB_CANCELLED,
}

# what an endpoint may subscribe to
JOB_EVENTS = frozenset(_EVENT_OF_STATUS.values())


def iso_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, as every timestamp of the API is written."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationEvent:
    """One event for one owner. Its id is the `webhook-id` of every delivery of it (retries
    and redeliveries included), so a receiver can drop duplicates; its body is the exact text
    sent, following Standard Webhooks: {"type", "timestamp", "data"}."""

    id: str
    owner_id: int
    type: EventType
    timestamp: datetime
    body: str
    job_id: UUID | None = None

    @classmethod
    def create(
        cls, *, id: str, owner_id: int, type: EventType, timestamp: datetime, data: dict[str, Any], job_id: UUID | None
    ) -> NotificationEvent:
        body = json.dumps(
            {"type": type.value, "timestamp": iso_timestamp(timestamp), "data": data},
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return cls(id=id, owner_id=owner_id, type=type, timestamp=timestamp, body=body, job_id=job_id)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)["data"]
        return data
