"""`make run` installs the runtime dependencies only; `make test` adds the development ones."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _would_run(target: str) -> list[str]:
    """The commands `make TARGET` would run after uv.lock changed (make -n: nothing runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "uv.lock", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if " sync " in line]


def test_make_run_syncs_the_runtime_dependencies_only() -> None:
    (sync,) = _would_run("run")
    assert "uv sync --frozen --no-dev" in sync


def test_make_test_syncs_the_development_dependencies_too() -> None:
    (sync,) = _would_run("test")
    assert "uv sync --frozen" in sync and "--no-dev" not in sync
