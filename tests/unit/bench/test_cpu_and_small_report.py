"""The measuring tools behind the README's per-job figures: CPU per drained or idle job by
process group (bench.cpu_per_job) and a drained job's work step by step (bench.small_report)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.cpu_per_job import _group, _processes
from bench.load import CSV
from bench.small_report import ROOT, run


def test_a_process_cpu_time_is_read_from_proc_and_grows_as_it_works() -> None:
    before = _processes()[os.getpid()]
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # 0.3 s of CPU is 30 ticks at the usual 100 Hz
        pass
    after = _processes()[os.getpid()]

    assert after[1] == os.getppid()
    assert "pytest" in after[2] or "python" in after[2]
    assert after[0] - before[0] >= 10


def test_processes_are_grouped_by_their_place_beside_the_worker() -> None:
    worker = 100
    celery = "/venv/bin/python /venv/bin/celery -A config worker -Q high -c 2"

    assert _group(100, 1, celery, worker) == "worker main process"
    assert _group(101, 100, celery, worker) == "worker pool processes"
    assert _group(7, 1, "postgres: postgres reportflow_bench 127.0.0.1(5000) idle", worker) == "PostgreSQL"
    assert _group(8, 1, "/venv/bin/python /venv/bin/celery -A config beat --loglevel INFO", worker) == "beat"
    assert _group(9, 1, "redis-server 127.0.0.1:6379", worker) == "Redis"
    assert _group(10, 1, "/usr/bin/gunicorn config.wsgi", worker) == ""


def test_an_idle_run_counts_the_web_processes_and_this_client_too() -> None:
    gunicorn = "/venv/bin/python /venv/bin/gunicorn config.wsgi --bind 127.0.0.1:8000 --workers 2"

    assert _group(200, 1, gunicorn, 100, web=200) == "gunicorn"
    assert _group(201, 200, gunicorn, 100, web=200) == "gunicorn"
    assert _group(os.getpid(), os.getppid(), "python -m bench.cpu_per_job --idle", 100, web=200) == "this client"


def test_a_small_report_is_profiled_and_rendered_in_a_fresh_process_step_by_step(tmp_path: Path) -> None:
    path = tmp_path / "bench.csv"
    path.write_bytes(CSV)

    steps = run(ROOT, path, warm=1, measured=3)

    assert list(steps) == ["profile", "html", "csv", "json"]
    assert all(0 < ms < 10_000 for ms in steps.values())
