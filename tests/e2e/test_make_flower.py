"""`make flower` runs Flower itself against the configured broker (the embedded one here):
it answers, and the signal a supervisor sends reaches it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import ROOT, free_port


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.slow
def test_make_flower_serves_flower_on_the_configured_broker_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    log = tmp_path / "flower.log"
    with open(log, "wb") as out:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", "flower", f"FLOWER_PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline, health = time.monotonic() + 120, None
        while time.monotonic() < deadline and make.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthcheck", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        children = _children(make.pid)
        flower = Path(f"/proc/{children[0]}/cmdline").read_bytes().replace(b"\0", b" ").decode() if children else ""

        make.send_signal(signal.SIGTERM)  # as a supervisor stops it: make passes it on to Flower
        make.wait(timeout=30)
        flower_gone = not children or not Path(f"/proc/{children[0]}").exists()
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()

    assert health is not None and health.status_code == 200 and health.text == "OK", log.read_text()[-3000:]
    assert "celery -A config flower" in flower, f"make's child is Flower itself, no shell between: {flower!r}"
    assert "Broker: adapters.celery.filesystem_transport:Transport" in log.read_text()
    assert flower_gone, "Flower stopped with make"
