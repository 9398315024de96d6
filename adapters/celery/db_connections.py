"""Database connections in workers: reuse them, but drop one that is obsolete or broken.

Django does this around each HTTP request (`close_old_connections` on request start and
end); a worker has no requests, so the same is done around each task.
"""

from __future__ import annotations

from typing import Any

from celery import signals
from django.db import close_old_connections


@signals.task_prerun.connect
@signals.task_postrun.connect
def _recycle_connections(**_: Any) -> None:
    close_old_connections()
