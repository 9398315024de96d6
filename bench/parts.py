"""The parts of `make bench`. Each measures one running stack once and returns its figures.

Parts of one session share a stack: latency-post runs before submit's load, on the fresh
database; e2e-latency runs on the idle worker a drain leaves behind."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import load
from bench.load import Figures
from bench.stacks import BARE, NAIVE, REPORTFLOW, Running, Side


@dataclass
class Options:
    duration: int = 10  # seconds of load per submit run
    latency_seconds: int = 5  # seconds of one-at-a-time POSTs per latency-post run
    jobs: int = 1000  # reports queued per drain run
    e2e_jobs: int = 50  # one-at-a-time jobs per e2e-latency run


@dataclass(frozen=True)
class Part:
    name: str
    session: str  # parts of one session share a stack per side and repetition
    sides: tuple[Side, ...]
    measure: Callable[[Running, Options], Figures]
    higher_is_better: dict[str, bool]  # metric -> direction
    warm_up: bool = True  # as the session's first part: submit some reports first, so no import is measured


def latency_post(running: Running, options: Options) -> Figures:
    """One connection, one request after the other, on an otherwise idle server."""
    return {"p50 ms": load.wrk(running, connections=1, seconds=options.latency_seconds)["p50 ms"]}


def submit(running: Running, options: Options) -> Figures:
    """16 connections for a fixed duration: throughput and latency."""
    return load.wrk(running, connections=16, seconds=options.duration)


def drain(running: Running, options: Options) -> Figures:
    """Queue the jobs with no worker running, then start one (-c 2, + beat for reportflow).
    Jobs/s from the worker's own log: first task received to last task succeeded."""
    if running.side is BARE:
        enqueue = [sys.executable, "-m", "bench.bare_celery.app", str(options.jobs)]
        subprocess.run(enqueue, env=running.stack.env, check=True)
    else:
        load.post_many(running, options.jobs)
    running.submitted += options.jobs
    running.start_worker()
    log = running.stack.logs / "worker.log"
    load.wait_until(lambda: _all_done(running), timeout=600, what="all jobs done", running=running)
    text = log.read_text(errors="replace")
    executions = len(load.task_times(text, running.side.task, "succeeded"))
    if executions > options.jobs:  # e.g. resends by the reconciler, whose cost the figure includes
        running.notes.append(f"the drain ran {executions} {running.side.task} tasks for {options.jobs} jobs")
    return {"jobs/s": options.jobs / load.task_span(text, running.side.task)}


def e2e_latency(running: Running, options: Options) -> Figures:
    """Idle submit -> done, one job at a time. The end is the time the worker wrote to the
    database, so the polling interval does not add to it."""
    running.start_worker()
    load.wait_until(lambda: _all_done(running) and _queue_empty(running), timeout=300, what="idle", running=running)
    with running.connect() as db, load.client(running) as http:
        seconds = [_one_job(running, http, db) for _ in range(options.e2e_jobs)]
    running.submitted += options.e2e_jobs
    return {"p50 ms": 1000 * statistics.median(seconds), "p99 ms": 1000 * load.percentile(seconds, 99)}


def _one_job(running: Running, http, db) -> float:  # type: ignore[no-untyped-def]
    started = time.time()
    job_id = load.post(http, running)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = db.execute(running.side.finished_sql, (job_id,)).fetchone()
        if row:
            if not row[0]:
                raise RuntimeError(f"job {job_id} did not succeed\n{running.stack.log_tail()}")
            return float(row[1].timestamp() - started)
        time.sleep(0.002)
    raise RuntimeError(f"job {job_id} not done after 30 s\n{running.stack.log_tail()}")


def _all_done(running: Running) -> bool:
    """Every submitted job done in the database (for a side that has one), and its task logged
    as succeeded. The database is asked first: it is the cheaper question while jobs run."""
    jobs = running.submitted
    if running.side is not BARE:
        with running.connect() as db:
            row = db.execute(running.side.done_count_sql).fetchone()
        if not row or int(row[0]) < jobs:
            return False
    log = running.stack.logs / "worker.log"
    return len(load.task_times(log.read_text(errors="replace"), running.side.task, "succeeded")) >= jobs


def _queue_empty(running: Running) -> bool:
    """No delivery waits in the side's task queue or runs unacknowledged: duplicates a drain
    left behind (resends of jobs already done) would otherwise delay the next jobs."""
    queue = running.side.queues.split(",")[0]
    return not running.broker.llen(queue) and not running.broker.hlen("unacked")


HTTP_SIDES = (REPORTFLOW, NAIVE)
PARTS = {
    part.name: part
    for part in (
        Part("latency-post", "http", HTTP_SIDES, latency_post, {"p50 ms": False}),
        Part("submit", "http", HTTP_SIDES, submit, {"req/s": True, "p50 ms": False, "p99 ms": False}),
        Part("drain", "jobs", (REPORTFLOW, NAIVE, BARE), drain, {"jobs/s": True}, warm_up=False),
        Part("e2e-latency", "jobs", HTTP_SIDES, e2e_latency, {"p50 ms": False, "p99 ms": False}),
    )
}
