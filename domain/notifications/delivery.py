"""A webhook delivery: one event sent to one endpoint by one job, and what the receiver answered.

Its status and attempts are its job's (the engine retries it); it keeps what only the
exchange knows: the last answer's status code and how long it took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.notifications.events import EventType


@dataclass(kw_only=True, eq=False)
class WebhookDelivery:
    id: UUID
    endpoint_id: UUID
    event_id: str
    event_type: EventType
    job_id: UUID
    created_at: datetime
    last_attempt: int = 0
    response_status: int | None = None  # None: no answer (timeout, refused connection)
    latency_ms: int | None = None
    attempted_at: datetime | None = None
    note: str = ""  # what this delivery did to its endpoint (disabled it), for the log

    def record_attempt(self, attempt: int, *, at: datetime, response_status: int | None, latency_ms: int) -> bool:
        """Keep what the receiver answered to `attempt`. An older attempt's answer that comes
        late (its worker was presumed dead) does not overwrite a newer one: False then."""
        if attempt < self.last_attempt:
            return False
        self.last_attempt = attempt
        self.response_status = response_status
        self.latency_ms = latency_ms
        self.attempted_at = at
        return True
