"""bench.hot_calls runs and prints each pair's figures (a benchmark, so only that it works)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_hot_calls_tool_prints_a_line_of_figures_per_pair() -> None:
    argv = [sys.executable, "-m", "bench.hot_calls", "--rounds", "1", "--number", "3"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()[-6:]
    titles = ["binding 19 values", "reading a timestamptz", "a 3-row result's document", "storing ", "publishing "]
    titles.append("rendering a job")
    assert [line.startswith(title) for line, title in zip(lines, titles, strict=True)] == [True] * 6, lines
    assert all(re.search(r"µs a call: .+ \d+\.\d$", line) for line in lines), lines
    assert lines[3].count(",") >= 5  # the two files, the end without the row, with it twice
    assert lines[4].count(",") == 3  # send_task through either transport, and the task queue's publish
    assert lines[5].count(",") == 2  # DRF's path and the planned one
