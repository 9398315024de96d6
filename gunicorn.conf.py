"""gunicorn reads this file from the working directory, however it is started (make web,
make run, the tests): its master gives the web workers one multiprocess metrics directory,
`METRICS_DIR/web`, emptied at start-up and named before any worker forks. Its own lines
(gunicorn.error, gunicorn.access) go through the same structured formatter as the app's."""

from __future__ import annotations

from typing import Any

from adapters.metrics import multiprocess
from adapters.observability import logs
from config.environment import Environment
from config.gc_freeze import collect_young

_ENV = Environment()
logconfig_dict = logs.configure(log_format=_ENV.effective_log_format, level=_ENV.log_level)


def on_starting(server: Any) -> None:
    multiprocess.use_directory(multiprocess.group_directory(_ENV.metrics_base, "web"))


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.process_exited(worker.pid)


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """Once the answer is sent: the young garbage of the request (see config.gc_freeze)."""
    collect_young()
