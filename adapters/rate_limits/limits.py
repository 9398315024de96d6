"""Rate-limit policies over fixed windows, counted in a shared RateCounter: one round trip
per limit. The global limit is counted only once the user's let the request through, so a
client that hammers past its own limit does not use up everyone's budget."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from adapters.rate_limits.counters import RateCounter
from adapters.rate_limits.rates import parse_rate


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


class RateOverrides(Protocol):
    def submit_rate(self, user_id: int) -> str | None:
        """The user's own rate ("0": no limit), or None where the setting applies."""


class NoOverrides:
    def submit_rate(self, user_id: int) -> str | None:
        return None


class CachedOverrides:
    """Overrides read at most once a `ttl` per user and process: the hot path rarely pays a query."""

    MAX_USERS = 10_000

    def __init__(self, source: RateOverrides, *, ttl: float = 60, clock: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._ttl = ttl
        self._clock = clock
        self._known: dict[int, tuple[float, str | None]] = {}

    def submit_rate(self, user_id: int) -> str | None:
        now = self._clock()
        known = self._known.get(user_id)
        if known is None or known[0] <= now:
            if len(self._known) >= self.MAX_USERS:
                self._known.clear()
            known = self._known[user_id] = (now + self._ttl, self._source.submit_rate(user_id))
        return known[1]


class SubmitRateLimits:
    """The configured policies (the user's own one where it has an override) and the counter
    they are counted in."""

    def __init__(
        self,
        *,
        counter: RateCounter,
        user: RatePolicy | None,
        everyone: RatePolicy | None,
        overrides: RateOverrides | None = None,
    ) -> None:
        self._counter = counter
        self.user = user
        self.everyone = everyone
        self._overrides = overrides or NoOverrides()

    def user_policy(self, user_id: int) -> RatePolicy | None:
        own = self._overrides.submit_rate(user_id)
        if own is None:
            return self.user
        parsed = parse_rate(own)
        return None if parsed is None else RatePolicy(name="user", quota=parsed[0], window=parsed[1])

    def check(self, scope: str, user_id: int, *, now: float | None = None) -> list[RateState]:
        """Count the request against each limit in turn; the states counted. Raises
        RateLimitExceeded at the first limit the request goes past."""
        now = time.time() if now is None else now
        states: list[RateState] = []
        for policy, partition in ((self.user_policy(user_id), f"user:{user_id}"), (self.everyone, "global")):
            if policy is None:
                continue
            index, reset = window_of(partition, policy.window, now)
            hits = self._counter.hit(f"{scope}:{partition}:{policy.window}:{index}", expires_in=reset + 1)
            state = RateState(policy=policy, remaining=max(policy.quota - hits, 0), reset=reset)
            states.append(state)
            if hits > policy.quota:
                raise RateLimitExceeded(state, states)
        return states
