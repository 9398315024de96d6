"""prometheus_client's multiprocess mode, as reportflow's process managers use it.

A process manager (gunicorn's master, a Celery worker's main process) gives its children one
directory: it empties it at start-up and names it in PROMETHEUS_MULTIPROC_DIR before anything
imports prometheus_client and before it forks, so every child counts into files of its own
there, and a scrape adds them up. Each manager has a directory of its own under METRICS_DIR
(`web`, `worker-<node name>`): a manager that starts never wipes another's counts.

This module imports prometheus_client only inside functions, for that reason.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


class MetricsImportedTooEarly(RuntimeError):
    """prometheus_client was imported in single-process mode before the directory was set."""


def use_directory(path: Path) -> Path:
    """Make `path` (created, emptied) this process's and its future children's directory."""
    values = sys.modules.get("prometheus_client.values")
    if values is not None and not getattr(values.ValueClass, "_multiprocess", False):
        raise MetricsImportedTooEarly(
            "prometheus_client was imported before the metrics directory was chosen: its counts would stay "
            "in each process; import it lazily in the process manager"
        )
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[ENV] = str(path)
    return path


def directory() -> Path | None:
    """The directory this process counts into, or None in single-process mode."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def group_directory(base: Path, group: str) -> Path:
    """The directory of one process manager under `base` (a node name may hold '/' or '@')."""
    return base / "".join(c if c.isalnum() or c in "-_.@" else "_" for c in group)


def process_exited(pid: int) -> None:
    """A child ended: drop its values of gauges that count live processes only."""
    if directory() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
