"""gunicorn reads this file from the working directory, however it is started (make web,
make run, the tests): its master gives the web workers one multiprocess metrics directory,
`METRICS_DIR/web`, emptied at start-up and named before any worker forks."""

from __future__ import annotations

from typing import Any

from adapters.metrics import multiprocess
from config.environment import Environment


def on_starting(server: Any) -> None:
    multiprocess.use_directory(multiprocess.group_directory(Environment().metrics_base, "web"))


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.process_exited(worker.pid)
