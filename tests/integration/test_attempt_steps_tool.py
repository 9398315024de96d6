"""The tool behind the README's in-process figures of an attempt's steps (bench.attempt_steps)
runs real jobs through the Celery task and prints their steps' medians."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_attempt_steps_tool_runs_jobs_and_prints_each_steps_median() -> None:
    argv = [sys.executable, "-m", "bench.attempt_steps", "--jobs", "3", "--one-by-one", "--pause", "0.001"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    steps = r"\(claim ([\d.]+), work ([\d.]+), record ([\d.]+)\), medians; CPU ([\d.]+) ms a job, mean"
    found = re.fullmatch(r"3 jobs, pause 0\.001 s, one by one: task ([\d.]+) ms " + steps, last)
    assert found, last
    task, claim, work, record, cpu = (float(value) for value in found.groups())
    assert 0 < claim + work + record <= task
    assert cpu > 0
