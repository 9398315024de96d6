from application.jobs.retry_policy import RetryPolicy


def test_delays_double_per_attempt_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=1, cap_seconds=10, jitter=0)

    assert [policy.delay_for(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_jitter_stays_between_the_floor_and_the_ceiling() -> None:
    policy = RetryPolicy(base_seconds=4, cap_seconds=100, jitter=0.5)

    assert policy.delay_for(1, rand=lambda: 0.0) == 2.0
    assert policy.delay_for(1, rand=lambda: 1.0) == 4.0
