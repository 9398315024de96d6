"""`make token USER=name` prints a token on its last line, and refuses to guess whose token it is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.stack import ROOT

MAKE = ["make", "--no-print-directory", "-s", "-o", ".venv/.installed-runtime", "token"]


def _env(var_dir: Path, **extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    return {**inherited, "VAR_DIR": str(var_dir), **extra}


def _make_token(var_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MAKE, *args], cwd=ROOT, env=_env(var_dir, **env), capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ((), {"USER": "root"}),  # the login name the shell sets is not a choice of user
        (("USER=",), {}),
        (("USER=   ",), {}),
        (("TOKEN_USER=",), {"USER": "root"}),
    ],
    ids=["USER from the shell only", "empty USER", "blank USER", "empty TOKEN_USER"],
)
def test_make_token_refuses_to_issue_a_token_without_a_user_name(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    done = _make_token(tmp_path, *args, **env)

    assert done.returncode != 0
    assert "make token USER=alice" in done.stderr
    assert not (tmp_path / "reportflow.sqlite3").exists()


def test_make_token_prints_a_new_token_on_its_last_line_and_rotate_revokes_the_others(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=_env(tmp_path),
        check=True,
        timeout=120,
    )

    first = _make_token(tmp_path, "USER=alice")
    rotated = _make_token(tmp_path, "USER=alice", "ROTATE=1")

    assert first.returncode == 0, first.stderr
    assert re.fullmatch(r"[0-9a-f]{64}", first.stdout.splitlines()[-1])
    assert "created user 'alice'" in first.stderr
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.splitlines()[-1] != first.stdout.splitlines()[-1]
    assert "its other tokens revoked" in rotated.stderr
