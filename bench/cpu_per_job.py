"""Where a drain's CPU goes: CPU time per drained job by process group (not a test).

Queues N small reports on a fresh stack (as the drain part does), starts the worker (-c 2,
and beat for reportflow), and reads every process's CPU time from /proc when the worker is
ready and again when the last job is done: the worker's main process, its pool processes,
beat, the PostgreSQL backends and Redis, in milliseconds per job.

    .venv/bin/python -m bench.cpu_per_job                  # reportflow, 1,000 jobs
    .venv/bin/python -m bench.cpu_per_job --side naive --jobs 2000
    .venv/bin/python -m bench.cpu_per_job --baseline main~2 --repetitions 2  # and that commit, alternating
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
from bench.parts import _all_done
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


def _group(pid: int, parent: int, command: str, worker: int) -> str:
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
    spent: Counter[str] = Counter()
    for pid, (ticks, parent, command) in after.items():
        group = _group(pid, parent, command, worker)
        if group:
            spent[group] += ticks - (before[pid][0] if pid in before else 0)
    print(f"{side.name}: {jobs} jobs in {seconds:.1f} s ({jobs / seconds:.1f} jobs/s, the worker's start excluded)")
    for group, ticks in spent.most_common():
        print(f"  {group:24} {1000 * ticks / _TICKS / jobs:6.2f} ms of CPU per job")
    print(f"  {'all of them':24} {1000 * sum(spent.values()) / _TICKS / jobs:6.2f} ms of CPU per job")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=sorted(_SIDES), default="reportflow")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--baseline", metavar="COMMIT", help="also drain reportflow at COMMIT, alternating")
    options = parser.parse_args()
    with ExitStack() as resources:
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="cpu-", dir=scratch_root())))
        sides = [_SIDES[options.side]]
        if options.baseline:
            sides.append(resources.enter_context(baseline(options.baseline, scratch)).side)
        bench = Bench(resources, resources.enter_context(held_redis_database(seconds=3600)), scratch)
        for _ in range(options.repetitions):
            for side in sides:
                measure(bench, side, options.jobs)


if __name__ == "__main__":
    main()
