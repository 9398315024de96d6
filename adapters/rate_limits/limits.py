"""Rate-limit policies over fixed windows, counted in a shared RateCounter: one round trip
per limit. The global limit is counted only once the user's let the request through, so a
client that hammers past its own limit does not use up everyone's budget."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

from adapters.rate_limits.counters import RateCounter


@dataclass(frozen=True, slots=True, kw_only=True)
class RatePolicy:
    name: str  # "user" or "global": the policy's name in the RateLimit header fields
    quota: int  # requests per window
    window: int  # seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class RateState:
    policy: RatePolicy
    remaining: int
    reset: int  # seconds until the window ends


class RateLimitExceeded(Exception):
    def __init__(self, state: RateState, counted: list[RateState]) -> None:
        policy = state.policy
        super().__init__(f"the {policy.name} limit of {policy.quota} submissions per {policy.window} s was reached")
        self.state = state
        self.counted = counted  # every limit counted for the request, this one last


def window_of(partition: str, window: int, now: float) -> tuple[int, int]:
    """The partition's current window (its number) and the seconds until it ends. Windows of
    different partitions are offset, so their budgets do not all come back in the same second."""
    offset = zlib.crc32(partition.encode()) % window
    index, elapsed = divmod(int(now) - offset, window)
    return index, window - elapsed


class SubmitRateLimits:
    """The configured policies and the counter they are counted in."""

    def __init__(self, *, counter: RateCounter, user: RatePolicy | None, everyone: RatePolicy | None) -> None:
        self._counter = counter
        self.user = user
        self.everyone = everyone

    def check(self, scope: str, user_id: int, *, now: float | None = None) -> list[RateState]:
        """Count the request against each limit in turn; the states counted. Raises
        RateLimitExceeded at the first limit the request goes past."""
        now = time.time() if now is None else now
        states: list[RateState] = []
        for policy, partition in ((self.user, f"user:{user_id}"), (self.everyone, "global")):
            if policy is None:
                continue
            index, reset = window_of(partition, policy.window, now)
            hits = self._counter.hit(f"{scope}:{partition}:{policy.window}:{index}", expires_in=reset + 1)
            state = RateState(policy=policy, remaining=max(policy.quota - hits, 0), reset=reset)
            states.append(state)
            if hits > policy.quota:
                raise RateLimitExceeded(state, states)
        return states
