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
DEFINITIONS = "adapters.metrics.definitions"


class MetricsImportedTooEarly(RuntimeError):
    """A metric of reportflow's was created before the directory was chosen."""


def use_directory(path: Path) -> Path:
    """Make `path` (created, emptied) this process's and its future children's directory."""
    if DEFINITIONS in sys.modules:
        raise MetricsImportedTooEarly(
            "reportflow's metrics were created before the metrics directory was chosen: their counts would stay "
            "in each process; choose the directory before anything imports adapters.metrics.definitions"
        )
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[ENV] = str(path)
    if "prometheus_client.values" in sys.modules:
        # Another package imported prometheus_client first, without creating a metric (every
        # `celery` command loads flower's command plugin, which does): prometheus_client picks
        # its value class from the environment at import, so pick it again now.
        from prometheus_client import values

        if not getattr(values.ValueClass, "_multiprocess", False):
            values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
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
