"""Owners' notification targets, kept per connection and forgotten when PostgreSQL says they changed.

Every job's end asks for its owner's targets (webhook endpoints, e-mail preferences): the one
read of the transaction that records the end, a round trip of its own (a tenth of a drained
job's time in its pool process, in py-spy). They change rarely. A trigger on the tables they
come from (migration 0015) sends a notification naming the owner at the commit of every
change, and each process's connection listens: before answering from what it kept, the
process takes in what has reached its socket (no round trip) and forgets the owners named.
So a change reaches a process as fast as a notification crosses its connection; until then
the process may use the targets as they were, as if the job had ended a moment earlier.

What is kept is trusted only
- on the connection whose LISTEN has committed (a new connection starts with nothing kept);
- in a transaction of a unit of work's own, with no outer block around it: a change made
  earlier in the same transaction is notified only when it commits;
- when no notification came while it was read (it may be older than the change notified).
Off with CACHE_NOTIFICATION_TARGETS=false (PgBouncer in transaction mode keeps no session's
LISTEN) and on SQLite: every end then reads its targets.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from domain.ports import NotificationTargets

CHANNEL = "reportflow_targets"
MAX_OWNERS = 10_000  # kept at once per connection; past that, everything is dropped and read anew


class TargetsCache:
    def __init__(self) -> None:
        self._listener: Any = None  # the psycopg connection that listens (or will, at its commit)
        self._listening = False
        self._kept: dict[int, NotificationTargets] = {}
        self._notified = 0  # notifications taken in on this connection

    def of_owner(self, owner_id: int, read: Callable[[], NotificationTargets]) -> NotificationTargets:
        """The owner's targets, kept or `read`."""
        if not self._trusted():
            return read()
        self._take_in()
        kept = self._kept.get(owner_id)
        if kept is not None:
            return kept
        before = self._notified
        targets = read()
        self._take_in()
        if self._notified == before:
            if len(self._kept) >= MAX_OWNERS:
                self._kept.clear()
            self._kept[owner_id] = targets
        return targets

    def _trusted(self) -> bool:
        if not getattr(settings, "CACHE_NOTIFICATION_TARGETS", True) or connection.vendor != "postgresql":
            return False
        if len(connection.atomic_blocks) > 1:  # inside someone else's transaction (a test's, a caller's)
            return False
        connection.ensure_connection()
        raw = connection.connection
        if raw is not self._listener:  # a new connection: nothing kept holds for it
            self._listener, self._listening, self._kept = raw, False, {}
            raw.add_notify_handler(lambda notify: self._note(notify.channel, notify.payload))
        if not self._listening:
            # LISTEN takes effect when the transaction commits: nothing is kept until then (a
            # rolled-back one is sent again by the next end)
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
            transaction.on_commit(functools.partial(self._listened, raw))
        return self._listening

    def _listened(self, listener: Any) -> None:
        if listener is self._listener:
            self._listening = True

    def _take_in(self) -> None:
        """Read what notifications reached the socket, without waiting: psycopg hands those that
        came with a statement's answer to the handler; these came since."""
        pgconn = self._listener.pgconn
        pgconn.consume_input()
        while (found := pgconn.notifies()) is not None:
            self._note(found.relname.decode(), found.extra.decode())

    def _note(self, channel: str, payload: str) -> None:
        if channel != CHANNEL:
            return
        self._notified += 1
        if payload.isdigit():
            self._kept.pop(int(payload), None)
        else:
            self._kept.clear()


_PER_THREAD = threading.local()  # as Django's connections are


def targets_cache() -> TargetsCache:
    """This thread's cache, which follows this thread's connection."""
    cache: TargetsCache | None = getattr(_PER_THREAD, "cache", None)
    if cache is None:
        cache = _PER_THREAD.cache = TargetsCache()
    return cache
