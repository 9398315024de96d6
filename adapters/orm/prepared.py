"""Hot statements prepared once per PostgreSQL connection, then run as `EXECUTE name(values)`.

Statements are bound on the client (Django's default for psycopg), so PostgreSQL parses and
plans each one afresh: most of its CPU on a job's statements (`bench/planning.py`: 1.4-1.7 ms
a transaction of five, against 0.4-0.7 ms prepared). Psycopg prepares only statements bound
on the server, which cannot travel several in one text as the deferred writes do. So the
statement is prepared with SQL's own `PREPARE`, once per connection, and run as an `EXECUTE`
whose values are still bound on the client: an ordinary statement, deferrable like any other.

A prepared statement lives as long as its connection, whatever its transaction does (a
`PREPARE` survives a rollback). One sent inside a transaction runs in a savepoint of its
own: a statement PostgreSQL cannot prepare (a parameter whose type it cannot infer) then
costs nothing but its plain form, never the transaction. Off with DB_PREPARED_STATEMENTS
(a pooler such as PgBouncer in transaction mode moves sessions between server connections).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
import weakref

from django.conf import settings
from django.db import ProgrammingError, connection, transaction

_PLACEHOLDER = "%s"
_lock = threading.Lock()
# Per server connection (psycopg's object, replaced when Django reconnects): names prepared.
_prepared: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()
_refused: set[str] = set()  # statements PostgreSQL would not prepare: run as they are


def prepared(sql: str) -> str:
    """The text to run in place of `sql` with the same parameters: `EXECUTE name(%s, ...)`
    once `sql` is prepared on this thread's connection, or `sql` itself where it cannot be."""
    if not _enabled() or sql in _refused:
        return sql
    statement = _statement(sql)
    if statement is None:
        return sql
    name, execute = statement
    connection.ensure_connection()
    with _lock:
        names = _prepared.setdefault(connection.connection, set())
    if name not in names:
        if not _prepare(name, sql):
            return sql
        names.add(name)
    return execute


def _enabled() -> bool:
    return connection.vendor == "postgresql" and bool(getattr(settings, "DATABASE_PREPARED_STATEMENTS", False))


@functools.lru_cache(maxsize=1024)
def _statement(sql: str) -> tuple[str, str] | None:
    """The name `sql` is prepared under and the EXECUTE that runs it, worked out once per
    text; None for a text with a literal % (its placeholders could not be told apart)."""
    if "%" in sql.replace(_PLACEHOLDER, ""):
        return None
    name = "reportflow_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    count = sql.count(_PLACEHOLDER)
    return name, f"EXECUTE {name}({', '.join([_PLACEHOLDER] * count)})" if count else f"EXECUTE {name}"


def _prepare(name: str, sql: str) -> bool:
    pieces = sql.split(_PLACEHOLDER)
    numbered = pieces[0] + "".join(f"${number}{piece}" for number, piece in enumerate(pieces[1:], start=1))
    try:
        # in a transaction, a savepoint keeps a refusal from aborting it
        scope = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        with scope, connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {numbered}")
    except ProgrammingError:  # the statement's own fault (a parameter of unknown type); a broken connection raises
        _refused.add(sql)
        return False
    return True
