"""How the scheduler behaves: its lease, and how much one firing does."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# the one lease every scheduler competes for
SCHEDULER_LEASE = "scheduler"


class SchedulerSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # The holder renews the lease every third of this; when it stops, another scheduler takes
    # over once this much time has passed since its last renewal.
    lease_seconds: float = Field(default=30.0, gt=0)
    # schedules fired by one firing at most; the rest wait for the next one
    batch_size: int = Field(default=100, ge=1)
