"""Django's PostgreSQL backend, less one round trip per transaction.

With autocommit off, psycopg opens a transaction by sending `BEGIN` on its own, and waits for
the answer, before the transaction's first statement: on the hot paths that is one round
trip of four or five per transaction (a submission, an attempt's claim, its record). Here
psycopg stays in autocommit mode; when Django opens a transaction (`atomic`), `BEGIN` waits
and goes in front of the transaction's first statement, in the same text (statements are
bound on the client, so several can travel in one execute, as the deferred writes do).
Psycopg's commit and rollback send `COMMIT` and `ROLLBACK` whenever the server holds an open
transaction, whatever its autocommit setting, so ending a transaction is unchanged; one that
sent no statement sends nothing at all.

What cannot carry the `BEGIN` (a COPY, executemany, a server-side cursor) sends it first, on
its own, as psycopg would have. Only the default transaction mode defers: with an isolation
level or read-only mode configured, psycopg opens transactions as usual.

Values are bound into the text through one converter per connection (see `Cursor.mogrify`),
and timestamps read with psycopg's compiled parser (see `TimestamptzLoader`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

import psycopg
from django.db.backends.postgresql import base as postgresql
from psycopg import adapt, pq

_PENDING = "_reportflow_begin_pending"  # on psycopg's connection: an atomic block is open, BEGIN not sent yet
_BINDER = "_reportflow_binder"  # on psycopg's connection: the converter that binds values into statements
# Django's client-side binding cursor over psycopg 3 (its type stubs describe psycopg 2's)
_DjangoCursor: Any = postgresql.Cursor


class Cursor(_DjangoCursor):
    """Django's client-side binding cursor, sending a waiting BEGIN with its statement."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        text = query if params is None else self.mogrify(query, params)
        if not getattr(self.connection, _PENDING, False):
            return super().execute(text, prepare=prepare, binary=binary)
        setattr(self.connection, _PENDING, False)
        if not isinstance(text, str):  # bytes or a psycopg sql.Composable
            text = text.decode() if isinstance(text, bytes) else text.as_string(self.connection)
        super().execute(f"BEGIN; {text}", prepare=prepare, binary=binary)
        self.nextset()  # BEGIN's answer; the statement's own result comes next
        return self

    def mogrify(self, query: Any, params: Any = None) -> str:
        """The statement with its values bound, as psycopg's own `mogrify` binds them, through
        the connection's converter. Psycopg makes a new converter for each statement, whose
        cache of how to convert each type of value then starts empty: binding 19 values of
        the usual types takes 41-45 µs that way, 26-31 µs through a converter kept
        (`bench.hot_calls`; an attempt binds about ten statements)."""
        binder = getattr(self.connection, _BINDER, None)
        if binder is None:
            binder = adapt.Transformer(self.connection)
            setattr(self.connection, _BINDER, binder)
        bound = self._query_cls(binder)
        bound.convert(query, params)
        return str(bound.query.decode(binder.encoding))

    def executemany(self, query: Any, params_seq: Iterable[Any], *, returning: bool = False) -> None:
        begin_now(self.connection)
        super().executemany(query, params_seq, returning=returning)

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        begin_now(self.connection)
        return super().copy(*args, **kwargs)

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        begin_now(self.connection)
        return super().stream(*args, **kwargs)


# psycopg's own timestamptz parser: its compiled one where psycopg[binary] is installed
_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
_PARSE_TIMESTAMPTZ = psycopg.adapters.get_loader(_TIMESTAMPTZ, pq.Format.TEXT)


class TimestamptzLoader(adapt.Loader):
    """Django's timestamptz loader (the value with the connection's time zone put on it, or
    none without USE_TZ), parsing with psycopg's compiled parser: Django's own subclasses
    psycopg's pure-Python one: 3.4 µs a value against 1.1 (`bench.hot_calls`; a job row has eight
    timestamps, its report three)."""

    timezone: tzinfo | None = None

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._parse = _PARSE_TIMESTAMPTZ(oid, context).load  # type: ignore[misc]

    def load(self, data: Any) -> Any:
        return self._parse(data).replace(tzinfo=self.timezone)


@functools.cache
def _adapters(template: adapt.AdaptersMap, timezone: tzinfo | None) -> adapt.AdaptersMap:
    """Django's adapters of a connection (one map per time zone), with our timestamptz loader."""
    adapters = adapt.AdaptersMap(template)
    adapters.register_loader(_TIMESTAMPTZ, type("TimestamptzLoader", (TimestamptzLoader,), {"timezone": timezone}))
    return adapters


def begin_now(connection: Any) -> None:
    """Send a waiting BEGIN on its own (before what cannot carry it)."""
    if getattr(connection, _PENDING, False):
        setattr(connection, _PENDING, False)
        connection.execute("BEGIN")


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("cursor_factory") is _DjangoCursor:  # client-side binding, Django's default
            params["cursor_factory"] = Cursor
        if "context" in params:  # Django's adapters, whose timestamptz loader it checks by its `timezone`
            params["context"] = _adapters(params["context"], self.timezone)
        return params

    def _set_autocommit(self, autocommit: bool) -> None:
        connection = self.connection
        defer = not autocommit and self._defers_begin()
        setattr(connection, _PENDING, defer)
        if connection.autocommit != (autocommit or defer):
            super()._set_autocommit(autocommit or defer)  # type: ignore[misc]

    def _defers_begin(self) -> bool:
        connection = self.connection
        return (
            connection.cursor_factory is Cursor and connection.isolation_level is None and connection.read_only is None
        )

    def create_cursor(self, name: str | None = None) -> Any:
        if name is not None:
            # A server-side cursor declares itself in a statement of its own. Django holds it
            # past the transaction (WITH HOLD) when psycopg is in autocommit mode, which it now
            # always is: inside a transaction that only costs a copy of what is left at commit.
            begin_now(self.connection)
        return super().create_cursor(name)
