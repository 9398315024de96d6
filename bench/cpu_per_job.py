"""Where a job's CPU goes: CPU time per job by process group (not a test).

Queues N small reports on a fresh stack (as the drain part does), starts the worker (-c 2,
and beat for reportflow), and reads every process's CPU time from /proc when the worker is
ready and again when the last job is done: the worker's main process, its pool processes,
beat, the PostgreSQL backends and Redis, in milliseconds per job.

With `--idle`, the jobs are submitted one at a time to an idle worker instead, each once the
one before ended (as the e2e-latency part does, `--pause` seconds apart), and the gunicorn
workers and this client (which polls for each job's end) are counted too: what an idle job
costs every process, where all of it runs cold (see bench.cold_start).

    .venv/bin/python -m bench.cpu_per_job                  # reportflow, 1,000 jobs
    .venv/bin/python -m bench.cpu_per_job --side naive --jobs 2000
    .venv/bin/python -m bench.cpu_per_job --baseline main~2 --repetitions 2  # and that commit, alternating
    .venv/bin/python -m bench.cpu_per_job --idle --side both --jobs 150     # reportflow and naive
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from bench import load
from bench.baseline import baseline
from bench.idle_timeline import _jobs as idle_jobs
from bench.parts import _all_done, _queue_empty
from bench.stacks import NAIVE, REPORTFLOW, Bench, Side, scratch_root
from tests.e2e.services import held_redis_database

_TICKS = os.sysconf("SC_CLK_TCK")
_SIDES = {"reportflow": REPORTFLOW, "naive": NAIVE}


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (CPU ticks, parent pid, command line) of every process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline") as cmdline:
                fields, command = stat.read().rsplit(")", 1)[1].split(), cmdline.read().replace("\0", " ")
        except OSError:  # ended meanwhile
            continue
        found[int(entry)] = (int(fields[11]) + int(fields[12]), int(fields[1]), command)
    return found


def _group(pid: int, parent: int, command: str, worker: int, web: int = 0) -> str:
    if pid == os.getpid():
        return "this client"
    if web and web in (pid, parent):
        return "gunicorn"
    if pid == worker:
        return "worker main process"
    if parent == worker:
        return "worker pool processes"
    if "postgres" in command:
        return "PostgreSQL"
    if " beat" in command:
        return "beat"
    if "redis-server" in command:
        return "Redis"
    return ""


def measure(bench: Bench, side: Side, jobs: int) -> None:
    with bench.running(side) as running:
        load.post_many(running, jobs)
        running.submitted += jobs
        running.start_worker()  # returns once the worker is ready: its start-up is not counted
        before, started = _processes(), time.monotonic()
        load.wait_until(lambda: _all_done(running), timeout=600, what="all jobs done", running=running)
        after, seconds = _processes(), time.monotonic() - started
        worker = running.stack.processes["worker"].pid
    spent = _spent(before, after, worker)
    print(f"{side.name}: {jobs} jobs in {seconds:.1f} s ({jobs / seconds:.1f} jobs/s, the worker's start excluded)")
    _print(spent, jobs)


def measure_idle(bench: Bench, side: Side, jobs: int, pause: float) -> None:
    with bench.running(side) as running:
        running.start_worker()
        load.wait_until(lambda: _all_done(running) and _queue_empty(running), timeout=300, what="idle", running=running)
        idle_jobs(running, 10, pause)  # the first jobs of a process pay for what it loads
        before, started = _processes(), time.monotonic()
        idle_jobs(running, jobs, pause)
        after, seconds = _processes(), time.monotonic() - started
        worker, web = running.stack.processes["worker"].pid, running.stack.processes["web"].pid
    spent = _spent(before, after, worker, web)
    beside = 1000 * (seconds / jobs - pause)
    print(f"{side.name}: {jobs} idle jobs, {pause} s apart, {beside:.1f} ms a job beside the pause")
    _print(spent, jobs)


def _spent(
    before: dict[int, tuple[int, int, str]], after: dict[int, tuple[int, int, str]], worker: int, web: int = 0
) -> Counter[str]:
    spent: Counter[str] = Counter()
    for pid, (ticks, parent, command) in after.items():
        group = _group(pid, parent, command, worker, web)
        if group:
            spent[group] += ticks - (before[pid][0] if pid in before else 0)
    return spent


def _print(spent: Counter[str], jobs: int) -> None:
    for group, ticks in spent.most_common():
        print(f"  {group:24} {1000 * ticks / _TICKS / jobs:6.2f} ms of CPU per job")
    print(f"  {'all of them':24} {1000 * sum(spent.values()) / _TICKS / jobs:6.2f} ms of CPU per job")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=[*sorted(_SIDES), "both"], default="reportflow")
    parser.add_argument("--idle", action="store_true", help="one job at a time to an idle worker")
    parser.add_argument("--pause", type=float, default=0.05, help="with --idle: seconds between jobs")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--baseline", metavar="COMMIT", help="also drain reportflow at COMMIT, alternating")
    options = parser.parse_args()
    with ExitStack() as resources:
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="cpu-", dir=scratch_root())))
        sides = [REPORTFLOW, NAIVE] if options.side == "both" else [_SIDES[options.side]]
        if options.baseline:
            sides.append(resources.enter_context(baseline(options.baseline, scratch)).side)
        bench = Bench(resources, resources.enter_context(held_redis_database(seconds=3600)), scratch)
        for _ in range(options.repetitions):
            for side in sides:
                if options.idle:
                    measure_idle(bench, side, options.jobs, options.pause)
                else:
                    measure(bench, side, options.jobs)


if __name__ == "__main__":
    main()
