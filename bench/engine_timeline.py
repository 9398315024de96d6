"""Where a large profile's wall time goes, thread by thread (not a test).

The report engine profiles a file with a reader thread (it cuts and indexes a block: I, and
polars parses it: P), the profiling thread (the batch query: Q, and waiting for the last
batch's columns: S) and the column threads (a column's share of a batch: A). This wraps
those steps with timers, profiles the bench's generated CSV once to warm up and once
measured, and prints each thread's busy time per step, then a lane per thread: one
character per `--step-ms` of a window of the run, the step running then, or `.` for none.
The thread always busy is the critical path (on 2 cores at `d02a7e4`, the query).

    .venv/bin/python -m bench.engine_timeline                      # 92 MB, 0.3-0.7 s
    .venv/bin/python -m bench.engine_timeline --mb 20 --window 0 0.2 --step-ms 2
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROWS_PER_MB = 1_000_000 / 92  # as bench/profile_part.py


@dataclass(frozen=True, slots=True)
class Span:
    thread: str
    step: str
    start: float
    end: float


@contextmanager
def timed_steps(spans: list[Span], clock: Callable[[], float]) -> Iterator[None]:
    """Record a Span for each call of the engine's steps while inside (the wrappers are removed after)."""
    from adapters.analysis.profiling import partial
    from adapters.analysis.profiling.source import csv_reader
    from adapters.analysis.profiling.stats import column

    steps: list[tuple[Any, str, str]] = [
        (csv_reader, "index_records", "I"),
        (csv_reader, "_parse_kept", "P"),
        (partial, "run_steps", "Q"),
        (partial.PartialProfile, "settle", "S"),
        (column.ColumnAccumulator, "absorb", "A"),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in steps]

    def timer(function: Callable[..., Any], step: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return function(*args, **kwargs)
            finally:
                spans.append(Span(threading.current_thread().name, step, start, clock()))

        return timed

    for (owner, name, step), (_, _, function) in zip(steps, originals, strict=True):
        setattr(owner, name, timer(function, step))
    try:
        yield
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


def measure(path: Path, **engine_options: Any) -> tuple[float, list[Span]]:
    """Profile `path` once to warm up, then once measured, with a ProfilingEngine made with
    `engine_options`: (wall seconds, spans from its start)."""
    from adapters.analysis.profiling import ProfilingEngine

    ProfilingEngine(**engine_options).analyze_path(str(path))
    spans: list[Span] = []
    started = time.perf_counter()
    with timed_steps(spans, lambda: time.perf_counter() - started):
        ProfilingEngine(**engine_options).analyze_path(str(path))
    return time.perf_counter() - started, spans


def busy(spans: list[Span]) -> dict[str, dict[str, float]]:
    """Seconds each thread spent in each step (a step called inside another counts in both)."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for span in spans:
        totals[span.thread][span.step] += span.end - span.start
    return {thread: dict(steps) for thread, steps in totals.items()}


def lanes(spans: list[Span], *, start: float, end: float, step: float) -> dict[str, str]:
    """One line per thread: for each `step` seconds of [start, end), the step running then, or '.'."""
    cells = max(1, round((end - start) / step))
    rows: dict[str, list[str]] = {}
    for span in sorted(spans, key=lambda span: span.end - span.start, reverse=True):  # short ones show on top
        row = rows.setdefault(span.thread, ["."] * cells)
        first = max(0, int((span.start - start) / step))
        last = min(cells, int((span.end - start) / step) + 1)
        for cell in range(first, last):
            row[cell] = span.step
    return {thread: "".join(row) for thread, row in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=92, help="size of the generated CSV (default 92 MB)")
    parser.add_argument("--window", type=float, nargs=2, default=(0.3, 0.7), metavar=("FROM", "TO"))
    parser.add_argument("--step-ms", type=float, default=4.0, help="milliseconds per character (default 4)")
    options = parser.parse_args()
    from bench.report_engine import generate
    from bench.stacks import scratch_root

    with tempfile.TemporaryDirectory(prefix="timeline-", dir=scratch_root()) as folder:
        path = Path(folder) / "engine.csv"
        generate(path, int(options.mb * ROWS_PER_MB))
        wall, spans = measure(path)
    print(f"wall {wall:.3f} s; I index, P parse, Q query, S settle, A a column's share")
    for thread, steps in sorted(busy(spans).items()):
        print(f"{thread:28} " + ", ".join(f"{step} {seconds:.3f} s" for step, seconds in sorted(steps.items())))
    start, end = options.window
    for thread, row in sorted(lanes(spans, start=start, end=end, step=options.step_ms / 1000).items()):
        print(f"{thread[:28]:28} {row}")


if __name__ == "__main__":
    main()
