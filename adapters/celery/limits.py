"""Memory bounds of a worker's pool processes.

Each pool child gets a data-segment limit (RLIMIT_DATA: heap and anonymous mappings, not
the files it maps), so one attempt cannot take the host's memory: a Python allocation past it
raises MemoryError, which fails the attempt; a native one aborts the child, and the lease
brings the job back. Celery's `worker_max_memory_per_child` then replaces a child whose
resident memory grew past its budget after a task, so one big file does not leave a bloated
process behind for the next jobs.
"""

from __future__ import annotations

import logging
import resource
from typing import Any

from celery import signals
from django.conf import settings

logger = logging.getLogger(__name__)


def limit_data_segment(megabytes: int) -> None:
    """Cap this process's data segment; 0 leaves it unlimited."""
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


@signals.worker_process_init.connect
def _bound_pool_child(**_: Any) -> None:
    limit_data_segment(settings.WORKER_MEMORY_LIMIT_MB)
