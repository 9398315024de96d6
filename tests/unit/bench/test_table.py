from __future__ import annotations

from bench.table import Row, number, render, spread


def test_numbers_keep_three_significant_figures_without_an_exponent() -> None:
    assert [number(v) for v in (0.01234, 1.234, 12.34, 123.4, 12345.6)] == ["0.012", "1.23", "12.3", "123", "12346"]


def test_a_spread_is_the_median_then_the_range() -> None:
    assert spread((110.0, 105.0, 115.0, 130.0)) == "112 (105-130)"


def test_the_ratio_is_reportflows_median_over_the_references() -> None:
    row = Row(
        part="submit",
        metric="req/s",
        higher_is_better=True,
        reportflow=(100.0, 120.0, 110.0),
        reference="naive",
        reference_values=(400.0, 440.0, 500.0),
    )

    assert row.ratio == 0.25
    assert render([row]).splitlines()[-1] == "| submit | req/s ↑ | 110 (100-120) | naive | 440 (400-500) | 0.250x |"


def test_a_lower_is_better_metric_is_marked_so() -> None:
    row = Row("e2e-latency", "p50 ms", False, (60.0,), "naive", (20.0,))

    assert "| p50 ms ↓ |" in render([row])
    assert row.ratio == 3.0
