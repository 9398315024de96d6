"""The make targets a supervisor runs are the processes themselves, and they stop cleanly.

Each test runs the real target on the embedded default, in a temporary VAR_DIR: the
processes it started are found by that VAR_DIR in their environment, wherever they went.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import ROOT, free_port

# a test must never sync .venv (a runtime sync would remove pytest from under it)
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed-runtime"]


# the test run's own settings (tests.settings points at PostgreSQL) must not reach the targets
_NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "SECURE_SSL_REDIRECT"}


def _env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    return {**env, "VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", **extra}


def _processes_of(var_dir: Path) -> dict[int, str]:
    """Every live process whose environment names this VAR_DIR: pid -> command line."""
    marker = f"VAR_DIR={var_dir}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # gone meanwhile, or a zombie
            continue
    return {pid: cmd for pid, cmd in found.items() if cmd}


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _poll(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def _none_left(var_dir: Path, timeout: float) -> dict[int, str]:
    _poll(lambda: not _processes_of(var_dir), timeout)
    return _processes_of(var_dir)


@contextmanager
def _make(var_dir: Path, *args: str, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`make ARGS` in a process group of its own, as a supervisor starts it; killed on exit."""
    log = var_dir / "make.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*MAKE, *args],
            cwd=ROOT,
            env=_env(var_dir, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process, log
    finally:
        for pid in _processes_of(var_dir):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_for_text(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    found = _poll(lambda: text in log.read_text(errors="replace") or process.poll() is not None, timeout)
    assert found and text in log.read_text(errors="replace"), log.read_text(errors="replace")[-3000:]


def test_make_worker_is_the_celery_worker_and_stops_warmly_on_the_sigterm_its_supervisor_sends(tmp_path: Path) -> None:
    with _make(tmp_path, "worker", "QUEUES=default", "CONCURRENCY=1") as (make, log):
        _wait_for_text(log, " ready.", make)

        os.kill(make.pid, signal.SIGTERM)  # make passes it on to the one process it started
        make.wait(timeout=60)

    assert _none_left(tmp_path, timeout=10) == {}
    assert "Warm shutdown" in log.read_text()


def test_the_process_make_worker_starts_is_celery_with_the_queues_and_concurrency_asked_for(tmp_path: Path) -> None:
    with _make(tmp_path, "worker", "QUEUES=default", "CONCURRENCY=1") as (make, log):
        _wait_for_text(log, " ready.", make)

        (started,) = _children(make.pid)
        command = _cmdline(started)

        assert re.search(r"/celery -A config worker .*--queues default --concurrency 1", command), command


def test_a_killed_make_worker_leaves_no_worker_behind(tmp_path: Path) -> None:
    with _make(tmp_path, "worker", "QUEUES=default", "CONCURRENCY=1") as (make, log):
        _wait_for_text(log, " ready.", make)

        os.killpg(make.pid, signal.SIGKILL)  # a supervisor's last resort, to the whole group
        make.wait(timeout=10)

        assert _none_left(tmp_path, timeout=10) == {}


def test_a_sigterm_to_the_whole_group_of_make_worker_leaves_no_celery_process(tmp_path: Path) -> None:
    with _make(tmp_path, "worker", "QUEUES=default", "CONCURRENCY=1") as (make, log):
        _wait_for_text(log, " ready.", make)

        os.killpg(make.pid, signal.SIGTERM)  # systemd's default: the whole control group
        make.wait(timeout=20)  # an idle worker stops in about 2 s; it used to hang at exit at times

        assert _none_left(tmp_path, timeout=10) == {}


@pytest.mark.parametrize("setting", ["PORT", "BIND"])
def test_make_web_is_gunicorn_listening_where_port_or_bind_says(tmp_path: Path, setting: str) -> None:
    port = free_port()
    value = str(port) if setting == "PORT" else f"127.0.0.1:{port}"
    with _make(tmp_path, "web", f"{setting}={value}", "WEB_WORKERS=1") as (make, log):
        answered = _poll(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=60)
        assert answered, log.read_text(errors="replace")[-3000:]

        (started,) = _children(make.pid)
        assert "/gunicorn config.wsgi" in _cmdline(started)

        os.kill(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
    assert _none_left(tmp_path, timeout=10) == {}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_ctrl_c_on_make_run_stops_web_worker_and_beat_warmly_and_make_exits_0(tmp_path: Path) -> None:
    port = free_port()
    terminal = _Terminal(
        ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", "run"], _env(tmp_path, PORT=str(port))
    )
    try:
        ready = _poll(
            lambda: (
                _answers(f"http://127.0.0.1:{port}/readyz")
                and " ready." in terminal.output
                and "beat: Starting" in terminal.output
            ),
            timeout=120,
        )
        assert ready, terminal.output[-3000:]

        stopped_in = terminal.press_ctrl_c()

        assert terminal.exit_status == 0, terminal.output[-3000:]
        assert stopped_in < 30
        assert "Warm shutdown" in terminal.output
        for line in terminal.output.splitlines():
            assert not re.search(r"ERROR|signal \d+|SIGKILL|Traceback|Interrupt", line), line
        assert _none_left(tmp_path, timeout=10) == {}
    finally:
        terminal.close()
        for pid in _processes_of(tmp_path):
            os.kill(pid, signal.SIGKILL)


class _Terminal:
    """A command on a pseudo-terminal of its own, as a developer runs it; output is kept."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self._fd = pty.fork()
        if self.pid == 0:  # the child: become the command at once
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        self._output = bytearray()
        self.exit_status: int | None = None
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def output(self) -> str:
        return self._output.decode(errors="replace")

    def press_ctrl_c(self, timeout: float = 60) -> float:
        """Type Ctrl-C; the seconds until the command exited (its status in exit_status)."""
        started = time.monotonic()
        os.write(self._fd, b"\x03")  # the line discipline sends SIGINT to the foreground group
        _poll(self._exited, timeout, interval=0.05)
        return time.monotonic() - started

    def _exited(self) -> bool:
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.exit_status = os.waitstatus_to_exitcode(status)
        return self.exit_status is not None

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 65536)
            except OSError:  # the terminal closed
                return
            if not data:
                return
            self._output.extend(data)

    def close(self) -> None:
        if self.exit_status is None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self._fd)
