"""How the job engine behaves: leases, redelivery and attempt budgets per job kind."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.retry_policy import RetryPolicy


class JobEngineSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # A running attempt's worker renews its lease every third of this; a lease not renewed
    # for this long means the worker is gone, and the reconciler hands the job on.
    lease_seconds: float = Field(default=30.0, gt=0)
    # A waiting job not started this long after it became due had its message lost.
    redelivery_after_seconds: float = Field(default=120.0, gt=0)
    max_attempts: dict[str, int] = Field(default_factory=dict)
    default_max_attempts: int = Field(default=5, ge=1)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    idempotency_key_ttl_seconds: float = Field(default=24 * 3600, gt=0)

    def max_attempts_for(self, kind: str) -> int:
        return self.max_attempts.get(kind, self.default_max_attempts)
