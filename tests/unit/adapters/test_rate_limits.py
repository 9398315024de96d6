from __future__ import annotations

import pytest

from adapters.rate_limits.limits import CachedOverrides, RateLimitExceeded, RatePolicy, SubmitRateLimits, window_of
from adapters.rate_limits.rates import parse_rate


class DictCounter:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.round_trips = 0

    def hit(self, key: str, *, expires_in: int) -> int:
        self.round_trips += 1
        self.hits[key] = self.hits.get(key, 0) + 1
        return self.hits[key]


def limits(counter: DictCounter, user: str = "", everyone: str = "") -> SubmitRateLimits:
    def policy(name: str, rate: str) -> RatePolicy | None:
        parsed = parse_rate(rate)
        return RatePolicy(name=name, quota=parsed[0], window=parsed[1]) if parsed else None

    return SubmitRateLimits(counter=counter, user=policy("user", user), everyone=policy("global", everyone))


def test_a_user_gets_the_quota_of_its_window_then_is_refused_until_the_window_ends() -> None:
    counter = DictCounter()
    rates = limits(counter, user="3/min")
    _, reset = window_of("user:7", 60, 1000.0)

    remaining = [rates.check("submit", 7, now=1000.0)[0].remaining for _ in range(3)]
    with pytest.raises(RateLimitExceeded) as refused:
        rates.check("submit", 7, now=1000.0)
    after = rates.check("submit", 7, now=1000.0 + reset)

    assert remaining == [2, 1, 0]
    assert (refused.value.state.remaining, refused.value.state.reset) == (0, reset)
    assert after[0].remaining == 2
    rates.check("submit", 8, now=1000.0)  # another user has a budget of its own


def test_the_global_limit_counts_only_what_users_limits_let_through() -> None:
    counter = DictCounter()
    rates = limits(counter, user="1/min", everyone="2/min")
    rates.check("submit", 1, now=0.0)
    with pytest.raises(RateLimitExceeded):
        rates.check("submit", 1, now=0.0)  # refused by its own limit: the global one is not touched
    rates.check("submit", 2, now=0.0)

    with pytest.raises(RateLimitExceeded) as refused:
        rates.check("submit", 3, now=0.0)

    assert refused.value.state.policy.name == "global"
    assert [s.policy.name for s in refused.value.counted] == ["user", "global"]


def test_each_limit_costs_one_round_trip_and_no_limit_costs_none() -> None:
    counter = DictCounter()

    assert limits(counter).check("submit", 1) == []
    limits(counter, user="5/s", everyone="50/s").check("submit", 1)

    assert counter.round_trips == 2


def test_windows_of_different_users_end_at_different_times() -> None:
    resets = {window_of(f"user:{n}", 60, 0.0)[1] for n in range(20)}

    assert len(resets) > 5
    assert all(1 <= reset <= 60 for reset in resets)


@pytest.mark.parametrize(("text", "parsed"), [("120/min", (120, 60)), ("5/s", (5, 1)), ("", None), ("0", None)])
def test_rates_are_read_like_drf_rates(text: str, parsed: tuple[int, int] | None) -> None:
    assert parse_rate(text) == parsed


def test_a_rate_without_a_known_period_is_refused() -> None:
    with pytest.raises(ValueError, match="COUNT/PERIOD"):
        parse_rate("10/fortnight")


class Overrides:
    def __init__(self, rates: dict[int, str]) -> None:
        self.rates = rates
        self.reads = 0

    def submit_rate(self, user_id: int) -> str | None:
        self.reads += 1
        return self.rates.get(user_id)


def test_a_users_own_rate_replaces_the_setting_and_zero_lifts_the_limit() -> None:
    counter = DictCounter()
    overrides = Overrides({7: "5/min", 8: "0"})
    rates = SubmitRateLimits(
        counter=counter, user=RatePolicy(name="user", quota=1, window=60), everyone=None, overrides=overrides
    )

    own = [rates.check("submit", 7, now=0.0)[0].remaining for _ in range(5)]
    unlimited = [rates.check("submit", 8, now=0.0) for _ in range(10)]
    rates.check("submit", 9, now=0.0)

    assert own == [4, 3, 2, 1, 0]
    assert unlimited == [[]] * 10
    with pytest.raises(RateLimitExceeded):
        rates.check("submit", 9, now=0.0)


def test_overrides_are_read_once_a_minute_per_user() -> None:
    now = [0.0]
    source = Overrides({7: "5/min"})
    cached = CachedOverrides(source, ttl=60, clock=lambda: now[0])

    first = [cached.submit_rate(7) for _ in range(100)]
    source.rates[7] = "9/min"
    now[0] = 61.0
    later = cached.submit_rate(7)

    assert (set(first), later, source.reads) == ({"5/min"}, "9/min", 2)
