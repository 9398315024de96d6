"""Django's connection health check, skipped for a connection released moments ago.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every HTTP request
(and of every task, through adapters.celery.db_connections): one more round trip on each hot
path. As PgBouncer's `server_check_delay` does (30 s by default), a connection that came back
in good shape less than RECHECK_AFTER_SECONDS ago is trusted without it. One idle for longer,
or new, is checked as before. A connection that broke within that second fails its first
query instead: a task then tries again a second later (adapters.celery.tasks), a request
answers 500, and Django drops the connection either way.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connections

RECHECK_AFTER_SECONDS = 1.0
_RELEASED = "_reportflow_released"  # on a connection wrapper: (id of its connection, when)


def trust_recently_released(**_: Any) -> None:
    """At the start of a request or task, after Django's close_old_connections."""
    now = time.monotonic()
    # health_check_done (Django >= 4.1) is not in the stubs
    wrappers: Sequence[Any] = connections.all(initialized_only=True)
    for wrapper in wrappers:
        connection = wrapper.connection
        if connection is None or wrapper.health_check_done:
            continue
        released_id, released_at = getattr(wrapper, _RELEASED, (None, 0.0))
        if released_id == id(connection) and now - released_at < RECHECK_AFTER_SECONDS:
            wrapper.health_check_done = True


def mark_released(**_: Any) -> None:
    """At the end of a request or task, after close_old_connections kept what is still sound."""
    now = time.monotonic()
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            setattr(wrapper, _RELEASED, (id(wrapper.connection), now))


# Django's own close_old_connections receivers were connected when django.db was imported,
# so these run after them.
request_started.connect(trust_recently_released, dispatch_uid="reportflow-trust-recently-released")
request_finished.connect(mark_released, dispatch_uid="reportflow-mark-released")
