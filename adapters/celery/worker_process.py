"""The Celery worker's main process as reportflow runs it (config.celery makes `celery worker`
use this class).

Before the worker imports a task module (and with it prometheus_client) and before it forks
its pool, it takes a multiprocess metrics directory of its own, `METRICS_DIR/worker-<node
name>`, emptied: its pool processes count there and its exporter reads there. Then it adds
the liveness bootstep (heartbeat file, heartbeat gauge, metrics endpoint).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery.apps.worker import Worker
from celery.utils.nodenames import default_nodename
from django.conf import settings

from adapters.metrics import multiprocess


class ReportflowWorker(Worker):
    def __init__(self, app: Any = None, hostname: str | None = None, **kwargs: Any) -> None:
        node = default_nodename(hostname or "")
        multiprocess.use_directory(multiprocess.group_directory(Path(settings.METRICS_DIR), f"worker-{node}"))
        from adapters.celery.liveness import WorkerLiveness  # imports prometheus_client: not before this

        (app or self.app).steps["worker"].add(WorkerLiveness)
        super().__init__(app=app, hostname=hostname, **kwargs)
