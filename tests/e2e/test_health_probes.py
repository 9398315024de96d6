"""The probes an orchestrator runs: a worker's liveness (`make worker-health`, fresh heartbeat
file or not) and the web's readiness (not ready while migrations are missing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import BIN, ROOT, free_port, running_stack


def worker_health(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "worker-health"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def poll(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.slow
def test_worker_health_passes_while_the_worker_runs_and_fails_once_it_is_stopped_or_gone(tmp_path: Path) -> None:
    env = {"WORKER_HEARTBEAT_SECONDS": "0.5", "WORKER_HEARTBEAT_MAX_AGE_SECONDS": "3"}
    with running_stack(tmp_path / "var", extra_env=env) as stack:
        probe_env = stack.env
        alive = poll(lambda: worker_health(probe_env).returncode == 0, timeout=90)
        worker = stack.processes["worker"]

        heartbeat = tmp_path / "var" / "worker.heartbeat"
        os.killpg(worker.pid, signal.SIGSTOP)  # the whole worker stops: nothing touches the file
        stopped = time.monotonic()
        went_stale = poll(lambda: worker_health(probe_env).returncode != 0, timeout=30)
        stale_after = time.monotonic() - stopped
        # measured from the last touch, not the stop: a loaded machine may run the heartbeat late
        age_when_stale = time.time() - heartbeat.stat().st_mtime
        stale = worker_health(probe_env)
        os.killpg(worker.pid, signal.SIGCONT)
        recovered = poll(lambda: worker_health(probe_env).returncode == 0, timeout=30)

        stopping = time.monotonic()
        stack.stop("worker")
        stopped_in = time.monotonic() - stopping
        gone = worker_health(probe_env)
        logs = stack.log_tail()

    assert alive, stack.log_tail()
    # the probe calls the file stale once its last touch is 3 s old, and soon after the stop
    assert went_stale and age_when_stale >= 3 and stale_after < 15, f"{age_when_stale=:.1f} s, {stale_after=:.1f} s"
    assert stale.returncode != 0 and "the worker is stuck" in stale.stderr
    assert recovered, "a worker that runs again is alive again"
    assert gone.returncode != 0 and "no heartbeat file" in gone.stderr, f"stopped in {stopped_in:.1f} s\n{logs}"


@pytest.mark.slow
@pytest.mark.postgres
def test_a_web_process_on_a_database_without_its_migrations_is_not_ready_until_they_run(
    tmp_path: Path, fresh_database: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "VAR_DIR"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path / "var"), DATABASE_URL=fresh_database)
    port = free_port()
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    readyz = f"http://127.0.0.1:{port}/readyz"

    def answers() -> bool:
        try:
            return httpx.get(readyz, timeout=5).status_code in (200, 503)
        except httpx.HTTPError:
            return False

    try:
        assert poll(answers, timeout=60)
        before = httpx.get(readyz, timeout=10)
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        after = httpx.get(readyz, timeout=10)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)

    assert before.status_code == 503
    assert before.headers["Content-Type"] == "application/problem+json"
    checks = before.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("not applied: ") and "reportflow.0001_initial" in checks["migrations"]
    assert after.status_code == 200 and after.json()["checks"]["migrations"] == "ok"
