"""Code run in a fresh interpreter on the production settings, as a process of the service
starts: a random secret key, files under a test folder, a broker in files."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(code: str, tmp_path: Path) -> str:
    """What `code` printed; it must exit cleanly."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(48),
        VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL=f"filesystem://{tmp_path}/broker",
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
