"""The worker's liveness file: the worker touches it every few seconds while its main loop
runs; an orchestrator's probe (`make worker-health`) finds it fresh, or the worker stuck."""

from __future__ import annotations

import os
import time
from pathlib import Path


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


def age_seconds(path: Path, *, now: float | None = None) -> float | None:
    """Seconds since the file was last touched, or None when there is none."""
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max((time.time() if now is None else now) - touched, 0.0)


def check(path: Path, *, max_age_seconds: float) -> tuple[bool, str]:
    """(alive, what was found) for a liveness probe."""
    age = age_seconds(path)
    if age is None:
        return False, f"no heartbeat file at {path}: the worker is not running, or not yet started"
    if age > max_age_seconds:
        return False, f"the heartbeat at {path} is {age:.1f} s old (limit {max_age_seconds:g} s): the worker is stuck"
    return True, f"the heartbeat at {path} is {age:.1f} s old (limit {max_age_seconds:g} s)"
