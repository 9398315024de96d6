"""A worker bootstep that proves the worker's main process is alive and serves its metrics.

Every WORKER_HEARTBEAT_SECONDS the worker's own timer (driven by its event loop when it has
one) touches the heartbeat file and sets `reportflow_worker_heartbeat_timestamp_seconds`: a
worker whose main process is stopped or stuck stops both. With WORKER_METRICS_PORT set, the
main process also serves GET /metrics: the counts of the worker's pool processes, read from
its multiprocess directory, behind the same guard as the web's /metrics.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from celery import bootsteps
from django.conf import settings

from adapters.celery import heartbeat_file
from adapters.metrics import exporter
from adapters.metrics.definitions import WORKER_HEARTBEAT

logger = logging.getLogger(__name__)


class WorkerLiveness(bootsteps.StartStopStep):
    requires = ("celery.worker.components:Timer",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._file = Path(settings.WORKER_HEARTBEAT_FILE)
        self._timer_entry: Any = None
        self._server: Any = None
        # a beat already under way when the worker stops must not bring the file back
        self._lock = threading.Lock()
        self._stopped = False

    def start(self, parent: Any) -> None:
        name = str(parent.hostname)
        self._beat(name)
        self._timer_entry = parent.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, self._beat, (name,))
        if settings.WORKER_METRICS_PORT:
            address, port = settings.WORKER_METRICS_ADDRESS, settings.WORKER_METRICS_PORT
            try:
                self._server = exporter.serve(address, port, token=settings.METRICS_TOKEN)
            except OSError as exc:  # the worker works on without its endpoint; say so loudly
                logger.error("worker metrics: cannot listen on %s:%s: %s", address, port, exc)
            else:
                logger.info("worker metrics on http://%s:%s/metrics", address, port)

    def stop(self, parent: Any) -> None:
        if self._timer_entry is not None:
            self._timer_entry.cancel()
        with self._lock:
            self._stopped = True
            self._file.unlink(missing_ok=True)  # a stopped worker is not alive
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # a cold shutdown terminates the steps instead of stopping them; the file must go all the same
    terminate = stop

    def _beat(self, name: str) -> None:
        with self._lock:
            if self._stopped:
                return
            try:
                heartbeat_file.touch(self._file)
            except OSError as exc:
                logger.error("worker heartbeat: cannot touch %s: %s", self._file, exc)
        WORKER_HEARTBEAT.labels(worker=name).set(time.time())
