"""Where an idle job's time goes, on the whole stack (not a test).

Starts a side as the e2e-latency part does (gunicorn, a worker -c 2, and beat for
reportflow, on a fresh database), lets its worker go idle, then submits jobs one at a time
as that part does and splits each job's time at the points it can see from outside: the
POST until its job's message reaches the broker (the doorbell, read from Redis's MONITOR);
the doorbell until the client has the POST's answer; the doorbell until the end stamped on
the job; and for reportflow, the doorbell until the worker logs "attempt started" (the
delivery: the broker, the worker's main process, the pool) and that line until the end (the
claim and the work, whose own timings its "attempt ended" line gives). Prints the medians, in
milliseconds.

    .venv/bin/python -m bench.idle_timeline                   # reportflow and naive, 100 jobs
    .venv/bin/python -m bench.idle_timeline --baseline main~3 --jobs 50 --repetitions 2
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from bench import load
from bench.baseline import baseline
from bench.parts import _all_done, _queue_empty
from bench.stacks import NAIVE, REPORTFLOW, Bench, Running, Side, scratch_root
from tests.e2e.services import held_redis_database

_BODY = re.compile(r'"body": "([A-Za-z0-9+/=]+)"')


def measure(bench: Bench, side: Side, jobs: int, pause: float = 0.0) -> str:
    with bench.running(side) as running:
        running.start_worker()
        load.wait_until(lambda: _all_done(running) and _queue_empty(running), timeout=300, what="idle", running=running)
        queue = side.queues.split(",")[0] if side is NAIVE else "default"
        with _doorbells(bench.broker, queue, _job_of(side)) as rung:
            stamps = _jobs(running, jobs, pause)
        log = (running.stack.logs / "worker.log").read_text(errors="replace")
    started = _started_at(log)
    parts: dict[str, list[float]] = {"POST to doorbell": [], "doorbell to answer": [], "doorbell to end": []}
    if started:
        parts |= {"doorbell to attempt started": [], "attempt started to end": []}
    parts["total"] = []
    for job_id, (sent, answered, ended) in stamps.items():
        rang = rung.get(job_id)
        if rang is None:
            continue
        figures = [rang - sent, answered - rang, ended - rang]
        if started:
            figures += [started[job_id] - rang, ended - started[job_id]]
        for name, seconds in zip(parts, [*figures, ended - sent], strict=True):
            parts[name].append(1000 * seconds)
    for step, values in _steps(log).items():  # the attempt's own timings, from its last line
        parts[f"of which {step}"] = values
    medians = ", ".join(f"{name} {statistics.median(values):.2f}" for name, values in parts.items())
    return f"{side.name}: {len(parts['total'])} idle jobs, {pause} s apart, medians in ms: {medians}"


def _job_of(side: Side) -> Callable[[list[Any]], str]:
    """The job's id in a task message's body: reportflow's keyword job_id, the naive's argument."""
    if side is NAIVE:
        return lambda body: str(body[0][0])
    return lambda body: str(body[1].get("job_id"))


@contextmanager
def _doorbells(broker: redis.Redis, queue: str, job_of: Callable[[list[Any]], str]) -> Iterator[dict[str, float]]:
    """When each job's message was pushed onto `queue` (epoch seconds, Redis's clock: the same
    machine's), while the block runs."""
    rung: dict[str, float] = {}
    watcher = redis.Redis(host="127.0.0.1", port=6379, db=broker.connection_pool.connection_kwargs["db"])
    stop = threading.Event()

    def watch() -> None:
        with watcher.monitor() as monitor:
            for command in monitor.listen():
                if stop.is_set():
                    return
                job_id = _pushed_job(command["command"], queue, job_of)
                if job_id is not None:
                    rung.setdefault(job_id, command["time"])

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    time.sleep(0.3)  # MONITOR is on before the first job
    try:
        yield rung
    finally:
        stop.set()
        broker.ping()  # a last command wakes the watcher up to see the stop
        thread.join(5)


def _pushed_job(command: str, queue: str, job_of: Callable[[list[Any]], str]) -> str | None:
    """The job whose task message `command` (as MONITOR shows it) pushes onto `queue`, if any."""
    found = _BODY.search(command) if command.startswith(f"LPUSH {queue} ") else None
    return None if found is None else job_of(json.loads(base64.b64decode(found.group(1))))


def _jobs(running: Running, jobs: int, pause: float) -> dict[str, tuple[float, float, float]]:
    """Each job's (POST sent, its answer, the end stamped on the job), as epoch seconds; each
    POST `pause` seconds after the end of the job before it was seen."""
    stamps = {}
    with running.connect() as db, load.client(running) as http:
        for _ in range(jobs):
            time.sleep(pause)
            sent = time.time()
            job_id = load.post(http, running)
            answered = time.time()
            deadline = time.monotonic() + 30
            while (row := db.execute(running.side.finished_sql, (job_id,)).fetchone()) is None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"job {job_id} not done after 30 s")
                time.sleep(0.002)
            stamps[job_id] = (sent, answered, row[1].timestamp())
    return stamps


def _started_at(log: str) -> dict[str, float]:
    """When the worker logged "attempt started" for each job (its first attempt)."""
    found: dict[str, float] = {}
    for line in log.splitlines():
        if line.startswith("{") and '"attempt started"' in line:
            fields = json.loads(line)
            stamp = datetime.fromisoformat(fields["timestamp"].replace("Z", "+00:00")).timestamp()
            found.setdefault(fields["job_id"], stamp)
    return found


def _steps(log: str) -> dict[str, list[float]]:
    """The claim and the work of each attempt, in ms, as its "attempt ended" line says."""
    steps: dict[str, list[float]] = {"claim": [], "work": []}
    for line in log.splitlines():
        if line.startswith("{") and '"attempt ended"' in line:
            fields = json.loads(line)
            for step, values in steps.items():
                values.append(float(fields[f"{step}_ms"]))
    return {step: values for step, values in steps.items() if values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between a job's end and the next POST")
    parser.add_argument("--baseline", metavar="COMMIT", help="also run reportflow at COMMIT, alternating")
    options = parser.parse_args()
    with ExitStack() as resources:
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="idle-", dir=scratch_root())))
        sides = [REPORTFLOW, NAIVE]
        if options.baseline:
            sides.insert(1, resources.enter_context(baseline(options.baseline, scratch)).side)
        bench = Bench(resources, resources.enter_context(held_redis_database(seconds=3600)), scratch)
        for _ in range(options.repetitions):
            for side in sides:
                print(measure(bench, side, options.jobs, options.pause), flush=True)


if __name__ == "__main__":
    main()
