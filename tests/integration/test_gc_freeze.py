"""Long-running processes take what start-up made out of the garbage collector's full passes:
each gunicorn worker once it has loaded the WSGI application, each Celery pool process once it
has warmed up the report engine. Checked in fresh interpreters, as those processes start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FROZEN = "import gc; print(gc.get_freeze_count(), len(gc.get_objects()))"


def frozen_after(code: str, tmp_path: Path) -> tuple[int, int]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(48),
        VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL=f"filesystem://{tmp_path}/broker",
    )
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{FROZEN}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frozen, tracked = done.stdout.split()[-2:]
    return int(frozen), int(tracked)


@pytest.mark.parametrize(
    "start_up",
    [
        pytest.param("import config.wsgi", id="gunicorn worker"),
        pytest.param(
            "import django; django.setup()\nfrom adapters.celery import tasks\ntasks._warm_up()", id="pool process"
        ),
    ],
)
def test_what_start_up_made_is_frozen_out_of_the_collector_s_passes(start_up: str, tmp_path: Path) -> None:
    frozen, tracked = frozen_after(start_up, tmp_path)

    assert frozen > 50_000, "Django and its apps alone make more than this"
    assert tracked < frozen / 10, "a full pass scans only what was made since"
