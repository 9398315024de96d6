"""Where an idle job's time goes, on the whole stack (not a test).

Starts reportflow as the e2e-latency part does (gunicorn, a worker -c 2, beat, on a fresh
database), lets the worker go idle, then submits jobs one at a time as that part does and
splits each job's time at the points the client and the worker's log can see: the POST
until its answer; the answer until the worker logs "attempt started" (the delivery: publish,
the broker, the worker's main process and the pool); that line until the end stamped on the
job (the claim and the work). Prints the medians of each, in milliseconds.

    .venv/bin/python -m bench.idle_timeline                      # 100 jobs
    .venv/bin/python -m bench.idle_timeline --baseline main~3    # and that commit, alternating
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from bench import load
from bench.baseline import baseline
from bench.parts import _all_done, _queue_empty
from bench.stacks import REPORTFLOW, Bench, Running, Side
from tests.e2e.services import held_redis_database


def measure(bench: Bench, side: Side, jobs: int, pause: float = 0.0) -> str:
    with bench.running(side) as running:
        running.start_worker()
        load.wait_until(lambda: _all_done(running) and _queue_empty(running), timeout=300, what="idle", running=running)
        stamps = _jobs(running, jobs, pause)
        log = (running.stack.logs / "worker.log").read_text(errors="replace")
    started = _started_at(log)
    parts: dict[str, list[float]] = {"POST": [], "delivery": [], "claim and work": [], "total": []}
    for job_id, (sent, answered, ended) in stamps.items():
        begun = started[job_id]
        for name, seconds in zip(parts, (answered - sent, begun - answered, ended - begun, ended - sent), strict=True):
            parts[name].append(1000 * seconds)
    medians = ", ".join(f"{name} {statistics.median(values):.2f}" for name, values in parts.items())
    return f"{side.name}: {jobs} idle jobs, {pause} s apart, medians in ms: {medians}"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between a job's end and the next POST")
    parser.add_argument("--baseline", metavar="COMMIT", help="also run reportflow at COMMIT, alternating")
    options = parser.parse_args()
    with ExitStack() as resources:
        root = Path(__file__).resolve().parents[1] / "var" / "bench"
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="idle-", dir=root)))
        sides = [REPORTFLOW]
        if options.baseline:
            sides.append(resources.enter_context(baseline(options.baseline, scratch)).side)
        bench = Bench(resources, resources.enter_context(held_redis_database(seconds=3600)), scratch)
        for _ in range(options.repetitions):
            for side in sides:
                print(measure(bench, side, options.jobs, options.pause), flush=True)


if __name__ == "__main__":
    main()
