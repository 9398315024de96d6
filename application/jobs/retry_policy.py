"""How long to wait before the next attempt: exponential backoff, capped, with full jitter."""

from __future__ import annotations

import random
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field


class RetryPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    base_seconds: float = Field(default=2.0, gt=0)
    cap_seconds: float = Field(default=300.0, gt=0)
    # Full jitter (AWS architecture blog, "Exponential Backoff And Jitter") spreads retries of
    # many jobs that failed together; a floor keeps delays growing on average.
    jitter: float = Field(default=0.5, ge=0, le=1)

    def delay_for(self, attempt: int, *, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempt - 1, 0))
        return ceiling * (1 - self.jitter) + ceiling * self.jitter * rand()
