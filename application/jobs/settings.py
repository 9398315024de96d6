"""How the job engine behaves: leases, cancel checks, redelivery, retries, Idempotency-Keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.jobs.retry_policy import RetryPolicy


class JobSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # A running attempt's worker renews its lease every third of this; a lease not renewed
    # for this long means the worker is gone, and the reconciler hands the job on.
    lease_seconds: float = Field(default=30.0, gt=0)
    # How often, at most, a running attempt's checkpoints read its job back to see a cancel.
    # A brief attempt (see application.jobs.pipeline) commits its start at its first
    # checkpoint after this long.
    cancel_check_seconds: float = Field(default=0.5, gt=0)
    # A waiting job not started this long after it became due had its message lost.
    redelivery_after_seconds: float = Field(default=120.0, gt=0)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    idempotency_key_ttl_seconds: float = Field(default=24 * 3600, gt=0)

    @property
    def brief_idle_seconds(self) -> float:
        """How long a brief attempt's transaction may sit idle (its work between checkpoints)
        before the database ends it: well past the checkpoint that commits its start, so only
        a work stuck without checkpoints loses its transaction (its lock goes with it)."""
        return max(2.0, 4 * self.cancel_check_seconds)
