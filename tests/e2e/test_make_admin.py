"""`make admin USER=name` makes a staff superuser for the console, with the password from
PASSWORD (or a prompt), and refuses to guess whose account it is."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.e2e.stack import ROOT

MAKE = ["make", "--no-print-directory", "-s", "-o", ".venv/.installed-runtime", "admin"]


def _env(var_dir: Path, **extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PASSWORD"}}
    return {**inherited, "VAR_DIR": str(var_dir), **extra}


def _make_admin(var_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MAKE, *args],
        cwd=ROOT,
        env=_env(var_dir, **env),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_make_admin_refuses_without_a_user_name(tmp_path: Path) -> None:
    done = _make_admin(tmp_path, USER="root", PASSWORD="a-long-operator-password")

    assert done.returncode != 0
    assert "make admin USER=alice" in done.stderr


def test_make_admin_creates_a_staff_superuser_and_says_where_to_sign_in(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_env(tmp_path),
        check=True,
        timeout=120,
    )

    without_password = _make_admin(tmp_path, "USER=ops")
    made = _make_admin(tmp_path, "USER=ops", PASSWORD="a-long-operator-password")

    assert without_password.returncode != 0 and "set PASSWORD" in without_password.stderr
    assert made.returncode == 0, made.stderr
    assert "staff superuser 'ops'; sign in at http://127.0.0.1:8000/admin/" in made.stdout
    with sqlite3.connect(tmp_path / "reportflow.sqlite3") as db:
        rows = db.execute("SELECT is_staff, is_superuser FROM auth_user WHERE username = 'ops'").fetchall()
    assert rows == [(1, 1)]
