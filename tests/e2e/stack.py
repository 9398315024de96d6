"""Start reportflow for real: migrate, a gunicorn web process and a Celery worker process.

The fault-injection suite (tests/chaos) uses the same stack with more workers, Celery beat
and its own environment.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ALL_QUEUES = "high,default,bulk,notifications,engine"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    base_url: str
    token: str
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    celery_app: str = "config"  # the `celery -A` of workers and beat
    root: Path = ROOT  # the checkout its processes run from (`make bench --baseline` runs another)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Token {self.token}"}, timeout=10)

    def start_worker(
        self, name: str = "worker", queues: str = ALL_QUEUES, concurrency: int = 2, cpus: str = ""
    ) -> None:
        """A Celery worker; with `cpus` (e.g. "0"), pinned to those CPUs (taskset), as a host of its own."""
        self.spawn(
            name,
            [
                *(["taskset", "--cpu-list", cpus] if cpus else []),
                str(BIN / "celery"),
                "-A",
                self.celery_app,
                "worker",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "-n",
                f"{name}@%h",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
            ],
        )

    def start_beat(self, name: str = "beat") -> None:
        # a schedule file per beat, as each would have on its own host
        schedule = str(self.logs.parent / f"{name}-celerybeat-schedule")
        self.spawn(
            name, [str(BIN / "celery"), "-A", self.celery_app, "beat", "--loglevel", "INFO", "--schedule", schedule]
        )

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Send `sig` to the process's whole group (a worker's children too), then reap it."""
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(ProcessLookupError):  # children that outlived their parent
            os.killpg(process.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            for path in sorted(self.logs.glob("*.log"))
        )

    def wait_for_log(self, name: str, text: str, timeout: float = 30, occurrences: int = 1) -> None:
        """Wait until the process's log contains `text` (e.g. a worker's "ready.") that often."""
        path = self.logs / f"{name}.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists() and path.read_text(errors="replace").count(text) >= occurrences:
                return
            if name in self.processes and self.processes[name].poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not log {text!r} in {timeout}s\n{self.log_tail()}")

    def spawn(self, name: str, argv: list[str]) -> None:
        """Start `argv` in its own process group, its output appended to logs/NAME.log."""
        # appended, so a process restarted under the same name keeps its earlier log
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child process owns it
        self.processes[name] = subprocess.Popen(
            argv, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def running_stack(
    var_dir: Path,
    *,
    database_url: str = "",
    broker_url: str = "",
    extra_env: Mapping[str, str] | None = None,
    workers: Sequence[str] = ("worker",),
    beat: bool = False,
    web_workers: int = 2,
    stop_timeout: float = 20,
    ready_timeout: float = 60,
) -> Iterator[Stack]:
    """Migrate, then run gunicorn, the named workers (none for an empty sequence) and
    optionally beat, each in its own process group; everything is stopped on exit."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "VAR_DIR"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    # production settings: a key shared by every process, and plain http (no TLS proxy here)
    env.update(SECRET_KEY=secrets.token_urlsafe(50), SECURE_SSL_REDIRECT="false")
    if database_url:
        env["DATABASE_URL"] = database_url
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    env.update(extra_env or {})
    logs = var_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    _manage(env, "migrate", "--no-input", "-v", "0")
    token = _manage(env, "issue_token", "e2e").strip().splitlines()[-1]
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", token=token, env=env, logs=logs)
    try:
        web = [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(web_workers)]
        stack.spawn("web", web)
        for name in workers:
            stack.start_worker(name)
        if beat:
            stack.start_beat()
        _wait_ready(stack, ready_timeout)
        yield stack
    finally:
        for name in list(stack.processes):
            stack.stop(name, timeout=stop_timeout)


def _wait_ready(stack: Stack, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{stack.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the stack did not become ready in {timeout}s\n{stack.log_tail()}")


def wait_for_job(client: httpx.Client, job_url: str, statuses: set[str], timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    job: dict[str, object] = {}
    while time.monotonic() < deadline:
        job = client.get(job_url).json()
        if job["status"] in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job still {job.get('status')} after {timeout}s: {job}")
