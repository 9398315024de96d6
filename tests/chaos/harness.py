"""The stack under fault injection: short engine timings, workers, beat, sizes, log counts."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.stack import Stack, running_stack

# Short timings, so a lost worker or message is noticed in seconds rather than minutes.
ENGINE_ENV = {
    "LEASE_SECONDS": "3",
    "RECONCILE_INTERVAL_SECONDS": "1",
    "RELAY_INTERVAL_SECONDS": "0.5",
    "REDELIVERY_AFTER_SECONDS": "8",
    "RETRY_BASE_SECONDS": "0.5",
    "RETRY_CAP_SECONDS": "4",
    "REPORT_MAX_ATTEMPTS": "5",
    "REPORT_ENGINE": "tests.chaos.faults:CountingAnalyzer",
    "LOG_LEVEL": "INFO",
}
WEB_WORKERS = 3


@dataclass(frozen=True)
class Size:
    """How hard each scenario pushes. FULL is the issue's figures; REDUCED fits CI."""

    name: str
    kill_jobs: int  # scenario 1
    kills: int
    outage_jobs: int  # scenarios 2 and 5
    hang_jobs: int  # scenario 3
    restart_jobs: int  # scenario 6
    duplicate_jobs: int  # scenario 7


SIZES = {
    "full": Size("full", kill_jobs=500, kills=5, outage_jobs=200, hang_jobs=100, restart_jobs=200, duplicate_jobs=200),
    "reduced": Size(
        "reduced", kill_jobs=150, kills=3, outage_jobs=60, hang_jobs=40, restart_jobs=60, duplicate_jobs=60
    ),
}


def chosen_size() -> Size:
    """CHAOS_SIZE=full or reduced (the default)."""
    name = os.environ.get("CHAOS_SIZE", "reduced").strip().lower()
    if name not in SIZES:
        raise ValueError(f"CHAOS_SIZE must be one of {sorted(SIZES)}, not {name!r}")
    return SIZES[name]


@contextmanager
def chaos_stack(
    var_dir: Path,
    *,
    database_url: str,
    broker_url: str,
    env: Mapping[str, str] | None = None,
    workers: Sequence[str] = ("w1", "w2"),
    beat: bool = True,
) -> Iterator[Stack]:
    """Web, the named workers (each ready to consume) and beat, with ENGINE_ENV + `env`."""
    with running_stack(
        var_dir,
        database_url=database_url,
        broker_url=broker_url,
        extra_env={**ENGINE_ENV, **(env or {})},
        workers=workers,
        beat=beat,
        web_workers=WEB_WORKERS,
        stop_timeout=10,
    ) as stack:
        for name in workers:
            stack.wait_for_log(name, " ready.", timeout=60)
        yield stack


def restart_worker(stack: Stack, name: str, timeout: float = 60) -> None:
    """Start a worker again under its name and wait until it consumes."""
    ready_before = worker_log(stack, name).count(" ready.")
    stack.start_worker(name)
    stack.wait_for_log(name, " ready.", timeout=timeout, occurrences=ready_before + 1)


def worker_log(stack: Stack, name: str) -> str:
    path = stack.logs / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def _attempt_outcomes(text: str) -> list[str]:
    """The outcome of each reports.process attempt in a worker's log: its "attempt ended"
    line (JSON, the format outside DEBUG)."""
    outcomes = []
    for line in text.splitlines():
        if line.startswith("{") and '"attempt ended"' in line:
            fields = json.loads(line)
            if fields.get("event") == "attempt ended" and fields.get("task") == "reports.process":
                outcomes.append(str(fields["outcome"]))
    return outcomes


def task_outcomes(stack: Stack) -> Counter[str]:
    """How each reports.process delivery ended, over every worker's log."""
    outcomes: Counter[str] = Counter()
    for path in stack.logs.glob("w[0-9]*.log"):
        outcomes.update(_attempt_outcomes(path.read_text(errors="replace")))
    return outcomes


def log_count(stack: Stack, text: str, pattern: str = "*.log") -> int:
    return sum(path.read_text(errors="replace").count(text) for path in stack.logs.glob(pattern))


def executions(log: Path) -> Counter[str]:
    """Job id -> analyses that ran to their end (tests.chaos.faults.CountingAnalyzer's log)."""
    if not log.exists():
        return Counter()
    return Counter(line.split()[0] for line in log.read_text().splitlines() if line.strip())
