"""What a pause costs the next piece of work on this machine (not a test).

An idle worker's job runs after its process slept. On the machines measured here, work
right after a sleep runs several times slower than the same work back to back, and more so
the more code and data it touches: a tiny polars query touches much more than a numpy call,
which touches more than a Python loop. Busy-waiting after the sleep does not bring the speed
back, so it is not the processor's clock that is slow but what the process had in its caches.
This is why an idle job's work (bench.small_report --pause) costs more than a drained one's.

Each operation runs `--repeat` times back to back, after a sleep, and after a sleep followed
by a busy wait; printed: the medians in microseconds.

    .venv/bin/python -m bench.cold_start
    .venv/bin/python -m bench.cold_start --pause 0.02 --repeat 100
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import polars as pl


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def median_us(operation: Callable[[], object], *, before: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        operation()
        times.append(time.perf_counter() - started)
    return 1e6 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds of sleep before each run")
    parser.add_argument("--busy", type=float, default=0.003, help="seconds of busy wait after the sleep")
    parser.add_argument("--repeat", type=int, default=60)
    options = parser.parse_args()
    frame = pl.DataFrame({"a": [1.0, 2.0, 3.0]})
    numbers = np.random.default_rng(0).random(1000)
    operations: dict[str, Callable[[], object]] = {
        "polars: one select of a 3-row frame": lambda: frame.select(pl.col("a").mean().alias("m")),
        "numpy: sort and mean of 1,000 floats": lambda: (np.sort(numbers), numbers.mean()),
        "Python: sum(range(300))": lambda: sum(range(300)),
    }
    conditions: dict[str, Callable[[], None]] = {
        "back to back": lambda: None,
        f"after {options.pause * 1000:g} ms asleep": lambda: time.sleep(options.pause),
        f"asleep, then {options.busy * 1000:g} ms busy": lambda: (time.sleep(options.pause), _busy(options.busy))[0],
    }
    print("| operation | " + " | ".join(conditions) + " |")
    print("| --- |" + " --- |" * len(conditions))
    for name, operation in operations.items():
        cells = [
            f"{median_us(operation, before=before, repeat=options.repeat):.0f} µs" for before in conditions.values()
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
