"""How many jobs an owner may start per minute: a token bucket kept in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(kw_only=True, eq=False)
class StartBucket:
    """`per_minute` tokens flow in each minute, up to `per_minute` saved; each start takes one."""

    owner_id: int
    tokens: float
    refilled_at: datetime

    def refill(self, *, now: datetime, per_minute: int) -> None:
        elapsed = max((now - self.refilled_at).total_seconds(), 0.0)
        self.tokens = min(float(per_minute), self.tokens + elapsed * per_minute / 60.0)
        self.refilled_at = now

    @property
    def whole_tokens(self) -> int:
        return int(self.tokens + 1e-9)

    def take(self, count: int = 1) -> None:
        if count > self.whole_tokens:
            raise ValueError(f"only {self.whole_tokens} starts left, {count} asked")
        self.tokens -= count

    def seconds_until_next(self, per_minute: int) -> float:
        """How long until one more whole token has flowed in."""
        return max(1.0 - (self.tokens - self.whole_tokens), 0.0) * 60.0 / per_minute
