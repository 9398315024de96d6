"""Private Redis and PostgreSQL instances that the chaos tests may stop, hang and restart.

The machine's shared services (127.0.0.1:5432 and :6379) are never touched: each instance
here runs on a free port of its own, with its files in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from tests.e2e.stack import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def missing_redis() -> str:
    return "" if shutil.which("redis-server") else "redis-server is not on PATH"


def missing_postgres() -> str:
    needs = [PG_BIN / "initdb", PG_BIN / "pg_ctl", Path(shutil.which("runuser") or "/nonexistent/runuser")]
    absent = [str(path) for path in needs if not path.exists()]
    return f"missing {', '.join(absent)} (PostgreSQL 15 server binaries, util-linux)" if absent else ""


class PrivateRedis:
    """A redis-server without persistence: a restart loses every message it held."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None
        self._paused = False

    def start(self, timeout: float = 10) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        argv += ["--daemonize", "no", "--dir", str(self.folder)]
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the child process owns it
        self._process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if self.client().ping():
                    return
            time.sleep(0.05)
        raise RuntimeError(f"private redis on port {self.port} did not answer in {timeout}s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        self.resume()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing answers."""
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGSTOP)
        self._paused = True

    def resume(self) -> None:
        if self._paused and self._process is not None:
            os.kill(self._process.pid, signal.SIGCONT)
        self._paused = False

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)


class PrivatePostgres:
    """A throw-away PostgreSQL 15 cluster, run as the postgres user (it refuses root)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="reportflow-chaos-pg-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(PG_BIN / "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._pg_ctl("start", "-l", str(self.root / "postgres.log"), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, RuntimeError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        path = self.root / "postgres.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _pg_ctl(self, *args: str) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", str(self.data), "-w", "-t", "60", *args)

    @staticmethod
    def _run(*argv: object) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, argv)], capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{argv} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
