"""bench.engine_timeline: the engine's steps timed per thread, and drawn as lanes."""

from __future__ import annotations

from pathlib import Path

from bench.engine_timeline import Span, busy, lanes, measure
from bench.report_engine import generate


def test_lanes_draw_each_threads_steps_in_their_cells_with_short_steps_on_top() -> None:
    spans = [
        Span("reader", "P", 0.000, 0.004),
        Span("work", "Q", 0.002, 0.010),
        Span("work", "S", 0.006, 0.007),  # inside the query's cells: it shows
    ]

    drawn = lanes(spans, start=0.0, end=0.012, step=0.002)

    assert drawn == {"reader": "PPP...", "work": ".QQSQQ"}


def test_busy_sums_each_threads_time_per_step() -> None:
    spans = [Span("a", "Q", 0.0, 0.5), Span("a", "Q", 1.0, 1.25), Span("b", "A", 0.0, 0.125)]

    assert busy(spans) == {"a": {"Q": 0.75}, "b": {"A": 0.125}}


def test_a_profile_in_many_batches_is_timed_on_its_reader_profiling_and_column_threads(tmp_path: Path) -> None:
    path = tmp_path / "engine.csv"
    generate(path, 60_000)  # about 5.5 MB: blocks of 2 MiB hold about 22,000 rows, enough for the column threads

    wall, spans = measure(path, block_bytes=2 * 2**20)

    assert {span.step for span in spans} == {"I", "P", "Q", "S", "A"}
    assert all(0 <= span.start <= span.end <= wall for span in spans)
    readers = {span.thread for span in spans if span.step in "IP"}
    queries = {span.thread for span in spans if span.step == "Q"}
    columns = {span.thread for span in spans if span.step == "A"}
    assert len(readers) == len(queries) == 1 and readers != queries
    assert columns - queries - readers  # the full batches' columns ran on threads of their own
