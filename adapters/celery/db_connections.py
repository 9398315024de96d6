"""Database connections in workers: reuse them, but drop one that is obsolete or broken.

Django does this around each HTTP request (`close_old_connections` on request start and
end); a worker has no requests, so the same is done around each task, with the health check
skipped for a connection the previous task released moments ago (adapters.connection_checks).
"""

from __future__ import annotations

from typing import Any

from celery import signals
from django.db import close_old_connections

from adapters import connection_checks


@signals.task_prerun.connect
def _before_task(**_: Any) -> None:
    close_old_connections()


@signals.task_postrun.connect
def _after_task(**_: Any) -> None:
    close_old_connections()
    connection_checks.mark_released()
