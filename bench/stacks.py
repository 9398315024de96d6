"""The stacks under measurement: reportflow and the references, each run on a fresh copy of
its migrated database and an emptied Redis database, with the same gunicorn and worker flags."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis

from tests.e2e.services import database_url, empty_except_hold, fresh_database, redis_url
from tests.e2e.stack import BIN, ROOT, Stack, free_port

WEB_WORKERS = 2
WORKER_CONCURRENCY = 2
SUBMIT_PATH = "/api/v1/reports/"


@dataclass(frozen=True)
class Side:
    """One system under measurement and where it keeps what the parts look at."""

    name: str
    settings: str  # DJANGO_SETTINGS_MODULE; empty for bare Celery
    wsgi: str
    celery_app: str
    queues: str
    task: str  # the task whose executions a drain counts in the worker log
    beat: bool = False
    # one row per job: (job id,) -> (finished, when it finished as a timestamp or None)
    finished_sql: str = ""
    done_count_sql: str = ""
    root: Path = ROOT  # the checkout it runs from: another commit's for `--baseline`


REPORTFLOW = Side(
    name="reportflow",
    settings="config.settings",
    wsgi="config.wsgi",
    celery_app="config",
    queues="high,default,bulk,notifications,engine",
    task="reports.process",
    beat=True,  # the outbox relay and the reconciler run under beat
    finished_sql="SELECT status = 'succeeded', finished_at FROM job"
    " WHERE id = %s AND status IN ('succeeded', 'failed', 'dead')",
    done_count_sql="SELECT count(*) FROM job WHERE status = 'succeeded'",
)
NAIVE = Side(
    name="naive",
    settings="bench.naive.settings",
    wsgi="bench.naive.wsgi",
    celery_app="bench.naive",
    queues="celery",
    task="naive.process_report",
    finished_sql="SELECT true, processed_at FROM naive_report WHERE id = %s AND processed_at IS NOT NULL",
    done_count_sql="SELECT count(*) FROM naive_report WHERE status = 'processed'",
)
BARE = Side(
    name="bare Celery", settings="", wsgi="", celery_app="bench.bare_celery.app", queues="celery", task="bare.noop"
)


@dataclass
class Running:
    """A side's processes, running on its own database and Redis database."""

    side: Side
    stack: Stack
    database: str
    broker: redis.Redis
    submitted: int = 0  # jobs submitted so far in this run
    notes: list[str] = field(default_factory=list)  # for the results, e.g. a job that ran twice

    @property
    def url(self) -> str:
        return self.stack.base_url + SUBMIT_PATH

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(database_url(self.database), autocommit=True)

    def start_worker(self) -> None:
        """A worker (-c 2), and beat for a side that needs it; returns once the worker consumes."""
        if "worker" in self.stack.processes:
            return
        self.stack.start_worker("worker", queues=self.side.queues, concurrency=WORKER_CONCURRENCY)
        if self.side.beat:
            self.stack.start_beat()
        self.stack.wait_for_log("worker", " ready.", timeout=120)


class Bench:
    """What every run shares: one held Redis database, one migrated template per side, a scratch dir."""

    def __init__(self, resources: ExitStack, broker: redis.Redis, scratch: Path) -> None:
        self._resources, self.broker, self.scratch = resources, broker, scratch
        self._templates: dict[str, tuple[str, str]] = {}  # side name -> (template database, token)
        self._runs = 0

    def environment(self, side: Side, database: str = "") -> dict[str, str]:
        self._runs += 1
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "VAR_DIR"}}
        var_dir = self.scratch / f"run-{self._runs}"
        var_dir.mkdir()
        env.update(
            SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
            CELERY_BROKER_URL=redis_url(self.broker),
            VAR_DIR=str(var_dir),
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(side.root),
            # production settings redirect plain HTTP to HTTPS; the bench talks HTTP on loopback
            SECURE_SSL_REDIRECT="false",
        )
        if side.settings:
            env["DJANGO_SETTINGS_MODULE"] = side.settings
        if database:
            env["DATABASE_URL"] = database_url(database)
        return env

    def template(self, side: Side) -> tuple[str, str]:
        """The side's migrated database with a user and token, made once and copied for each run."""
        if side.name not in self._templates:
            name = self._resources.enter_context(fresh_database("reportflow_bench_template"))
            env = self.environment(side, name)
            django = [sys.executable, "-m", "django"]
            _run([*django, "migrate", "--no-input", "-v", "0"], env, side.root)
            if side.settings == REPORTFLOW.settings:
                token = _run([*django, "issue_token", "bench"], env, side.root).split()[-1]
            else:
                create = [*django, "createsuperuser", "--no-input", "--username", "bench", "--email", "b@example.org"]
                _run(create, env, side.root)
                token = _run([*django, "drf_create_token", "bench"], env, side.root).split()[2]
            self._templates[side.name] = (name, token)
        return self._templates[side.name]

    @contextmanager
    def running(self, side: Side) -> Iterator[Running]:
        """The side on a fresh database and an emptied Redis database, with gunicorn when it
        has a web side; its worker starts on demand. Everything is killed on exit."""
        empty_except_hold(self.broker)
        with ExitStack() as resources:
            database, token = "", ""
            if side.settings:
                template, token = self.template(side)
                database = resources.enter_context(fresh_database("reportflow_bench", template=template))
            env = self.environment(side, database)
            logs = Path(env["VAR_DIR"]) / "logs"
            logs.mkdir()
            port = free_port() if side.wsgi else 0
            stack = Stack(base_url=f"http://127.0.0.1:{port}", token=token, env=env, logs=logs, root=side.root)
            stack.celery_app = side.celery_app
            running = Running(side=side, stack=stack, database=database, broker=self.broker)
            try:
                if side.wsgi:
                    bind = f"127.0.0.1:{port}"
                    stack.spawn(
                        "web", [str(BIN / "gunicorn"), side.wsgi, "--bind", bind, "--workers", str(WEB_WORKERS)]
                    )
                    _wait_for_web(stack)
                yield running
            finally:
                # nothing of a finished run is kept, so there is no need to wait for warm shutdowns
                for name in list(stack.processes):
                    stack.stop(name, sig=signal.SIGKILL)


def _run(argv: list[str], env: dict[str, str], root: Path) -> str:
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=180)
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv[1:])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_for_web(stack: Stack, timeout: float = 60) -> None:
    """Until the submit endpoint answers at all (a 401 or 405 is an answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(stack.base_url + SUBMIT_PATH, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in {timeout}s\n{stack.log_tail()}")


def scratch_root() -> Path:
    """Where runs keep their files (uploads, results, logs): under the repository's
    var/, where `make run` keeps them, not in the system's temporary directory. On one
    machine creating a file in /tmp cost 0.8 ms against 0.015 ms in var/ on the same disk
    (bench/results/round-f05a29a-0ec0726.md); on another the cost moved between folders
    from minute to minute (round-e4e1b89-0baa6db.md)."""
    root = ROOT / "var" / "bench"
    root.mkdir(parents=True, exist_ok=True)
    return root
