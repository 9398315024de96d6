"""The `fan-out` part of `make bench`, asked for by name (`--parts fan-out`; about 3 minutes a
repetition): one large CSV (1 GB by default) uploaded to reportflow on PostgreSQL and Redis,
profiled by one worker and by two, through the job's chunk jobs and their merge. Each worker
is `-c 1`, pinned to a core of its own (taskset), as a host with one core would be: one
engine process alone already keeps both cores of this machine busy, so without pinning the
second worker would only share them. MB/s is the file's size over the time from the upload's
202 to the success the worker wrote; the ratio says how much the second worker adds.

Both runs use the deployment's defaults: files above FAN_OUT_BYTES (256 MiB) are planned
into chunks of about CHUNK_BYTES (128 MiB), each a job of its own, and a merge job."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.load import wait_until
from bench.profile_part import MB, ROWS_PER_MB
from bench.stacks import REPORTFLOW, Bench, Running
from bench.table import Row

UPLOAD_TIMEOUT = 600  # seconds; gunicorn's worker timeout is raised to match


def fan_out_rows(bench: Bench, *, size_mb: int, repetitions: int, scratch: Path) -> list[Row]:
    from bench import report_engine as engine  # numpy and polars load only for this part

    path = scratch / f"fan-out-{size_mb}mb.csv"
    print(f"fan-out: generating a {size_mb} MB CSV", flush=True)
    engine.generate(path, rows=int(size_mb * ROWS_PER_MB))
    size = path.stat().st_size
    seconds: dict[int, list[float]] = {1: [], 2: []}
    for repetition in range(1, repetitions + 1):
        for workers in (1, 2):
            seconds[workers].append(_profile_once(bench, path, workers))
            print(
                f"{time.strftime('%H:%M:%S')}   fan-out, {workers} worker(s) #{repetition}: "
                f"{size / MB / seconds[workers][-1]:.1f} MB/s",
                flush=True,
            )
    print(
        f"fan-out: median {statistics.median(seconds[1]):.1f} s with one worker, "
        f"{statistics.median(seconds[2]):.1f} s with two",
        flush=True,
    )
    return [
        Row(
            part=f"fan-out ({size / MB:.0f} MB CSV, chunk jobs, two workers of one core each)",
            metric="MB/s",
            higher_is_better=True,
            reportflow=tuple(size / MB / value for value in seconds[2]),
            reference="one worker (one core)",
            reference_values=tuple(size / MB / value for value in seconds[1]),
        )
    ]


def _profile_once(bench: Bench, path: Path, workers: int) -> float:
    limits = {"MAX_UPLOAD_BYTES": str(path.stat().st_size + MB), "GUNICORN_CMD_ARGS": f"--timeout {UPLOAD_TIMEOUT}"}
    saved = {name: os.environ.get(name) for name in limits}
    os.environ.update(limits)  # the stack's processes take the bench's environment
    try:
        with bench.running(REPORTFLOW) as running:
            names = [f"worker{core}" for core in range(workers)]
            for core, name in enumerate(names):
                running.stack.start_worker(name, queues=REPORTFLOW.queues, concurrency=1, cpus=str(core))
            running.stack.start_beat()
            for name in names:
                running.stack.wait_for_log(name, " ready.", timeout=120)
            return _upload_and_wait(running, path)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _upload_and_wait(running: Running, path: Path) -> float:
    headers = {"Authorization": f"Token {running.stack.token}"}
    with httpx.Client(timeout=UPLOAD_TIMEOUT, headers=headers) as http, path.open("rb") as content:
        response = http.post(running.url, files={"file": ("large.csv", content, "text/csv")})
    accepted = time.time()
    if response.status_code != 202:
        raise RuntimeError(f"the upload answered {response.status_code}: {response.text[:300]}")
    job_id = response.json()["id"]
    finished: list[float] = []

    def done() -> bool:
        with running.connect() as db:
            row: Any = db.execute(
                "SELECT status, finished_at, children_total FROM job WHERE id = %s", (job_id,)
            ).fetchone()
        if row and row[0] in ("failed", "dead", "cancelled"):
            raise RuntimeError(f"the large report ended {row[0]}\n{running.stack.log_tail()}")
        if row and row[0] == "succeeded":
            if row[2] < 2:
                raise RuntimeError(f"the large report did not fan out ({row[2]} chunks)")
            finished.append(row[1].timestamp())
            return True
        return False

    wait_until(done, timeout=1800, what="the large report", running=running)
    return finished[0] - accepted
