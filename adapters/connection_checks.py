"""Django's connection health check, skipped for a connection released moments ago.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every HTTP request
(and of every task, through adapters.celery.db_connections): one more round trip on each hot
path. As PgBouncer's `server_check_delay` does (30 s by default), a connection that came back
in good shape less than RECHECK_AFTER_SECONDS ago is trusted without it. One idle for longer,
new, or replaced since, is checked as before. A connection that broke within that second
fails its first query instead: a task then tries again a second later (adapters.celery.tasks),
a request answers 500, and Django drops the connection either way.

The decision is taken when Django would check, not in a request_started receiver: the order
of receivers is not fixed (Django's test client reconnects its own on every request).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.core.signals import request_finished
from django.db import connections
from django.db.backends.signals import connection_created

RECHECK_AFTER_SECONDS = 1.0
_RELEASED = "_reportflow_released"  # on a connection wrapper: (id of its connection, when)


def mark_released(**_: Any) -> None:
    """At the end of a request or task: each sound connection was released now."""
    now = time.monotonic()
    # request_finished may reach this before Django's close_old_connections: skip a connection
    # whose request saw a database error, Django decides about it
    wrappers: Sequence[Any] = connections.all(initialized_only=True)
    for wrapper in wrappers:
        if wrapper.connection is not None and not wrapper.errors_occurred:
            setattr(wrapper, _RELEASED, (id(wrapper.connection), now))


def _released_moments_ago(wrapper: Any) -> bool:
    released_id, released_at = getattr(wrapper, _RELEASED, (None, 0.0))
    return released_id == id(wrapper.connection) and time.monotonic() - released_at < RECHECK_AFTER_SECONDS


def _check_unless_released_moments_ago(sender: Any, connection: Any, **_: Any) -> None:
    """On a wrapper's first connection: its health check consults the release first."""
    if getattr(connection, "_reportflow_checks", False):
        return
    check = connection.close_if_health_check_failed

    def close_if_health_check_failed() -> None:
        due = connection.connection is not None and not connection.health_check_done
        if due and _released_moments_ago(connection):
            connection.health_check_done = True
            return
        check()

    connection.close_if_health_check_failed = close_if_health_check_failed
    connection._reportflow_checks = True


connection_created.connect(_check_unless_released_moments_ago, dispatch_uid="reportflow-connection-checks")
request_finished.connect(mark_released, dispatch_uid="reportflow-mark-released")
