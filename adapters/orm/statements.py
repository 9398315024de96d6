"""Prebuilt statements for what every job does several times: read a row, update it by
compare-and-set, insert rows.

The ORM compiles a queryset into SQL on every call, 0.3 to 1 ms of Python per statement, and
a job's attempt runs a dozen of them. A `Table` builds its statements from the model once and
converts every value through the model's own fields, both ways (`get_db_prep_save` on the way
in, the fields' and the backend's converters on the way out), so what is stored and read is
exactly what the ORM would store and read, on PostgreSQL and on SQLite alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

from django.db import DatabaseError, connection, models

from adapters.orm.prepared import prepared

M = TypeVar("M", bound=models.Model)
DEFERRED_WRITES = "reportflow_deferred_writes"  # the connection's attribute while a unit of work defers
# what fails a checked write that changed no row (migration 0013), and the error code it fails with
_EXPECT_ONE = "reportflow_expect_one_changed"
_EXPECT_ONE_FAILED = "RF409"
Converter = Callable[[Any, Any, Any], Any]


class Table(Generic[M]):
    """The statements of one model's table. SQL fragments given to it (conditions, order) name
    columns and use %s placeholders; values always travel as parameters."""

    def __init__(self, model: type[M], *, read_only: bool = False) -> None:
        self.model = model
        self.name = connection.ops.quote_name(model._meta.db_table)
        self._fields = {field.attname: field for field in model._meta.concrete_fields}
        self.width = len(self._fields)  # how many columns `columns` lists
        fields = self._fields.values()
        sets_itself = any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields)
        if sets_itself and not read_only:
            raise TypeError(f"{model.__name__}: a field sets itself on save, which these statements would skip")
        self._columns = {name: connection.ops.quote_name(str(field.column)) for name, field in self._fields.items()}
        self.columns = ", ".join(f"{self.name}.{column}" for column in self._columns.values())
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    def column(self, attname: str) -> str:
        return self._columns[attname]

    # reading

    def select(
        self, where: str, params: Sequence[Any], *, tail: str = "", lock: bool = False, skip_locked: bool = False
    ) -> list[M]:
        """Whole rows WHERE `where`, then `tail` (ORDER BY, LIMIT), locked FOR UPDATE when asked
        and the database can (SQLite locks the whole database on write instead)."""
        sql = f"SELECT {self.columns} FROM {self.name} WHERE {where} {tail}"
        if lock and connection.features.has_select_for_update:
            sql += " " + connection.ops.for_update_sql(
                skip_locked=skip_locked and connection.features.has_select_for_update_skip_locked
            )
        with connection.cursor() as cursor:
            cursor.execute(prepared(sql), params)
            rows = cursor.fetchall()
        return [self.instance(row) for row in rows]

    def get(self, key: Any, *, lock: bool = False) -> M | None:
        """The row whose primary key is `key`, or None."""
        pk = self.model._meta.pk
        assert pk is not None
        rows = self.select(f"{self.column(pk.attname)} = %s", [self.prepare_value(pk.attname, key)], lock=lock)
        return rows[0] if rows else None

    def prepare_value(self, attname: str, value: Any) -> Any:
        """`value` as a parameter compared with the column (what a lookup would send)."""
        return self._fields[attname].get_db_prep_value(value, connection)

    def instance(self, row: Sequence[Any]) -> M:
        """The model instance of `row`, the values of `columns` in their order, as read."""
        return self.model.from_db(connection.alias, self._columns.keys(), self._converted(row))

    def record(self, row: Sequence[Any]) -> Any:
        """The values of `row`, converted as `instance` converts them, as attributes named as the
        model's (`owner_id`, not `owner`), without a model instance: for a read mapped straight
        into a domain object (Model.__init__ was a tenth of an attempt's claim)."""
        return SimpleNamespace(**dict(zip(self._columns, self._converted(row), strict=True)))

    def _converted(self, row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for index, converters, expression in self._row_converters():
            value = values[index]
            for convert in converters:
                value = convert(value, expression, connection)
            values[index] = value
        return values

    def _row_converters(self) -> list[tuple[int, list[Converter], Any]]:
        converters = self._converters.get(connection.vendor)
        if converters is None:
            converters = []
            for index, field in enumerate(self._fields.values()):
                expression = field.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                if found:
                    converters.append((index, found, expression))
            self._converters[connection.vendor] = converters
        return converters

    # writing

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows, all naming the same fields (by attname), in one statement; it may travel
        with the transaction's next statement (see DeferredWrites)."""
        if not rows:
            return
        names = list(rows[0])
        fields = [self._fields[name] for name in names]
        columns = ", ".join(self._columns[name] for name in names)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [field.get_db_prep_save(row[field.attname], connection) for row in rows for field in fields]
        _write(f"INSERT INTO {self.name} ({columns}) VALUES {', '.join([one] * len(rows))}", params)

    def update(self, values: Mapping[str, Any], where: Mapping[str, Any]) -> int:
        """UPDATE the rows whose fields equal `where`, now; returns how many rows it changed."""
        sql, params = self._update(values, where)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.rowcount)

    def update_later(self, values: Mapping[str, Any], where: Mapping[str, Any]) -> None:
        """The same UPDATE, when nothing depends on its row count: it may travel with the
        transaction's next statement (see DeferredWrites)."""
        _write(*self._update(values, where))

    def update_later_checked(self, values: Mapping[str, Any], where: Mapping[str, Any], *, error: Exception) -> bool:
        """The same UPDATE as a compare-and-set that may travel with the transaction's next
        statement: the database fails that statement unless it changed exactly one row, and
        `error` is raised there instead. False where writes are not deferred (the caller then
        updates at once and checks the count itself)."""
        sql, params = self._update_sql(values, where)
        return write_later_checked(f"{sql} RETURNING 1", params, error=error)

    def _update(self, values: Mapping[str, Any], where: Mapping[str, Any]) -> tuple[str, list[Any]]:
        sql, params = self._update_sql(values, where)
        return prepared(sql), params

    def _update_sql(self, values: Mapping[str, Any], where: Mapping[str, Any]) -> tuple[str, list[Any]]:
        sets = ", ".join(f"{self.column(name)} = %s" for name in values)
        conditions = " AND ".join(f"{self.column(name)} = %s" for name in where)
        params = [self._fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
        params += [self.prepare_value(name, value) for name, value in where.items()]
        return f"UPDATE {self.name} SET {sets} WHERE {conditions}", params


class DeferredWrites:
    """Writes that wait for the transaction's next statement and travel with it, in one round
    trip: an attempt's audit event goes with the statement after it, a result's report row
    with the job's update.

    Installed on the connection for a unit of work (`connection.execute_wrapper`), it puts the
    waiting writes in front of the next statement sent through Django, whatever sends it (a
    prebuilt statement, the ORM, a savepoint), so every statement still sees every earlier
    write, in order; `flush` sends them before a commit, with the COMMIT in the same text when
    it ends the transaction. A failing write fails the statement it travels with, inside the
    same transaction, which then rolls back as it would have.
    Only PostgreSQL with client-side binding (Django's default for psycopg: values are bound
    into the text, so several statements can go in one execute) defers; elsewhere writes are
    sent at once."""

    def __init__(self) -> None:
        self._waiting: list[tuple[str, Sequence[Any]]] = []
        self._expected: dict[str, Exception] = {}  # a checked write's key -> what its failure raises

    def expect(self, error: Exception) -> str:
        """The key a checked write names when it fails (see `Table.update_later_checked`)."""
        key = f"{len(self._expected)}: {error}"  # unique in this unit of work, and telling in a log
        self._expected[key] = error
        return key

    @staticmethod
    def supported() -> bool:
        return connection.vendor == "postgresql" and not connection.settings_dict.get("OPTIONS", {}).get(
            "server_side_binding"
        )

    def add(self, sql: str, params: Sequence[Any]) -> None:
        self._waiting.append((sql, params))

    def flush(self, *, commit: bool = False) -> None:
        """Send the waiting writes now; with `commit`, the transaction's COMMIT goes in the same
        text (the caller's own commit then finds no transaction open, and sends nothing)."""
        if self._waiting:
            with connection.cursor() as cursor, self._checked():
                cursor.execute(self._literal(cursor.cursor) + ("; COMMIT" if commit else ""))

    def discard(self) -> None:
        self._waiting = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self._waiting:
            return execute(sql, params, many, context)
        raw = context["cursor"].cursor
        if many:
            with self._checked():
                execute(self._literal(raw), None, False, context)
            return execute(sql, params, many, context)
        # Each statement is bound on its own (psycopg caches the parse of each) and the joined
        # text is sent as is: parsing the long joined statement would cost more than it saves.
        own = sql if params is None else raw.mogrify(sql, params)
        with self._checked():
            result = execute(f"{self._literal(raw)}; {own}", None, many, context)
        while raw.nextset():  # the statement's own result is the last one
            pass
        return result

    @contextlib.contextmanager
    def _checked(self) -> Iterator[None]:
        """Raise what a checked write asked for when the database says it failed."""
        try:
            yield
        except DatabaseError as exc:
            cause = exc.__cause__
            if getattr(cause, "sqlstate", None) == _EXPECT_ONE_FAILED:
                key = getattr(getattr(cause, "diag", None), "message_detail", None) or ""
                if key in self._expected:
                    raise self._expected[key] from exc
            raise

    def _literal(self, raw: Any) -> str:
        """The waiting writes as one text with their values bound, and none waiting any more."""
        waiting, self._waiting = self._waiting, []
        return "; ".join(raw.mogrify(sql, params) for sql, params in waiting)


def write_later_checked(sql: str, params: Sequence[Any], *, error: Exception) -> bool:
    """`sql`, a write with a RETURNING clause, travels with the transaction's next statement
    (its commit at the latest) and fails it, raising `error` there, unless it returned exactly
    one row. False where writes are not deferred: the caller then writes at once and checks."""
    deferred: DeferredWrites | None = getattr(connection, DEFERRED_WRITES, None)
    if deferred is None:
        return False
    key = deferred.expect(error)
    deferred.add(prepared(f"WITH changed AS ({sql}) SELECT {_EXPECT_ONE}(count(*), %s) FROM changed"), [*params, key])
    return True


def relax_commit() -> None:
    """The current transaction's commit does not wait for the WAL flush (PostgreSQL only)."""
    _write("SELECT set_config('synchronous_commit', 'off', true)", [])


def bound_idle_time(seconds: float) -> None:
    """The current transaction is ended by the server once idle for longer than `seconds`."""
    _write("SELECT set_config('idle_in_transaction_session_timeout', %s, true)", [str(max(1, round(seconds * 1000)))])


def _write(sql: str, params: list[Any]) -> None:
    deferred: DeferredWrites | None = getattr(connection, DEFERRED_WRITES, None)
    if deferred is not None:
        deferred.add(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
