"""`make db` creates the PostgreSQL database of DATABASE_URL, so the README's recipe works on a new server."""

from __future__ import annotations

import os
import subprocess
import uuid

import psycopg
import pytest

from tests.e2e.conftest import ADMIN_DSN
from tests.e2e.stack import ROOT

pytestmark = pytest.mark.postgres


def _make_db(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", "db", f"DATABASE_URL={database_url}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _exists(name: str) -> bool:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def test_make_db_creates_the_database_once_and_then_leaves_it_alone() -> None:
    name = f"reportflow_makedb_{uuid.uuid4().hex[:10]}"
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    try:
        first = _make_db(url)
        second = _make_db(url)

        assert first.returncode == 0, first.stderr
        assert f"created database {name!r}" in first.stdout
        assert second.returncode == 0, second.stderr
        assert "already exists" in second.stdout
        assert _exists(name)
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
