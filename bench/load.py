"""Driving a running stack: wrk for load, httpx for single submissions, the worker log for timings."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx

from bench.stacks import Running

WRK_SCRIPT = Path(__file__).with_name("post_report.lua")
CSV = b"id,amount,label\n1,10.5,a\n2,20.25,b\n3,30,c\n"  # the 3-row report, as in post_report.lua
Figures = dict[str, float]


def ensure_wrk() -> str:
    """The path of wrk, installed from the distribution's packages when it is missing."""
    if not shutil.which("wrk"):
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        install = [*sudo, "apt-get", "install", "-y", "-q", "wrk"]
        print("installing wrk:", " ".join(install), flush=True)
        if subprocess.run(install, check=False, capture_output=True).returncode:
            subprocess.run([*sudo, "apt-get", "update", "-q"], check=False, capture_output=True)
            subprocess.run(install, check=False, capture_output=True)
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is missing and `apt-get install wrk` did not install it; install it and run again")
    return path


def wrk(running: Running, *, connections: int, seconds: int) -> Figures:
    """POST the 3-row report from `connections` connections for `seconds`; every answer must be a 2xx."""
    argv = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(WRK_SCRIPT)]
    argv += [running.url, "--", running.stack.token, uuid.uuid4().hex]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    return parse_wrk(done.stdout, running.stack.log_tail)


def parse_wrk(output: str, log_tail: Callable[[], str] = str) -> Figures:
    """The figures of post_report.lua's last line; raises RuntimeError on any failed request."""
    report = json.loads(output.strip().splitlines()[-1])
    if report["errors"] or report["non_2xx"] or not report["requests"]:
        raise RuntimeError(f"wrk: {report}\n{log_tail()}")
    return {
        "req/s": report["requests"] / (report["duration_us"] / 1e6),
        "p50 ms": report["p50_us"] / 1000,
        "p99 ms": report["p99_us"] / 1000,
    }


def client(running: Running) -> httpx.Client:
    # generous: on a busy machine a cold worker's first request can take seconds, and a
    # timeout here would end the whole bench; what is measured is timed by wrk or the worker
    return httpx.Client(headers={"Authorization": f"Token {running.stack.token}"}, timeout=60)


def post(http: httpx.Client, running: Running) -> str:
    """Submit the 3-row report with a fresh Idempotency-Key; the job's (or row's) id."""
    files = {"file": ("bench.csv", CSV, "text/csv")}
    response = http.post(running.url, files=files, headers={"Idempotency-Key": uuid.uuid4().hex})
    if response.status_code != 202:
        raise RuntimeError(f"submit answered {response.status_code}: {response.text[:300]}")
    return str(response.json()["id"])


def post_many(running: Running, count: int, concurrency: int = 8) -> None:
    with client(running) as http, ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _: post(http, running), range(count)))


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, running: Running) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        ended = [name for name, process in running.stack.processes.items() if process.poll() is not None]
        if ended or time.monotonic() > deadline:
            why = f"{', '.join(ended)} ended" if ended else f"{timeout}s passed"
            raise RuntimeError(f"not {what}: {why}\n{running.stack.log_tail()}")
        time.sleep(0.2)


# Celery's own lines: "[2025-01-31 12:00:00,123: INFO/MainProcess] Task reports.process[<id>] received"
_TASK_LINE = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/[^\]]+\] Task (\S+)\[[^\]]+\] (received|succeeded)", re.M
)


# reportflow's structured lines (JSON): one "attempt started" and one "attempt ended" per attempt
_ATTEMPT_EVENTS = {"attempt started": "received", "attempt ended": "succeeded"}


def task_times(log: str, task: str, event: str) -> list[float]:
    """When the worker logged `event` ("received" or "succeeded") for each `task`, as epoch
    seconds: from Celery's own lines (the references), or from reportflow's attempt lines,
    where an attempt's start stands for its receipt."""
    times = [
        datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        for stamp, name, what in _TASK_LINE.findall(log)
        if name == task and what == event
    ]
    for line in log.splitlines():
        if not line.startswith("{") or task not in line:
            continue
        fields = json.loads(line)
        what = _ATTEMPT_EVENTS.get(fields.get("event", ""))
        if fields.get("task") != task or what != event:
            continue
        if what == "succeeded" and fields.get("outcome") != "succeeded":
            continue
        times.append(datetime.fromisoformat(fields["timestamp"].replace("Z", "+00:00")).timestamp())
    return times


def task_span(log: str, task: str) -> float:
    """Seconds from the worker receiving its first `task` to the last one succeeding."""
    return max(task_times(log, task, "succeeded")) - min(task_times(log, task, "received"))


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * percent / 100) - 1))]
