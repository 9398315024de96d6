"""Prebuilt statements for what every job does several times: read a row, update it by
compare-and-set, insert rows.

The ORM compiles a queryset into SQL on every call, 0.3 to 1 ms of Python per statement, and
a job's attempt runs a dozen of them. A `Table` builds its statements from the model once and
converts every value through the model's own fields, both ways (`get_db_prep_save` on the way
in, the fields' and the backend's converters on the way out), so what is stored and read is
exactly what the ORM would store and read, on PostgreSQL and on SQLite alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


class Table(Generic[M]):
    """The statements of one model's table. SQL fragments given to it (conditions, order) name
    columns and use %s placeholders; values always travel as parameters."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.name = connection.ops.quote_name(model._meta.db_table)
        self._fields = {field.attname: field for field in model._meta.concrete_fields}
        fields = self._fields.values()
        if any(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) for field in fields):
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
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [self._instance(row) for row in rows]

    def get(self, key: Any, *, lock: bool = False) -> M | None:
        """The row whose primary key is `key`, or None."""
        pk = self.model._meta.pk
        assert pk is not None
        rows = self.select(f"{self.column(pk.attname)} = %s", [self.prepare_value(pk.attname, key)], lock=lock)
        return rows[0] if rows else None

    def prepare_value(self, attname: str, value: Any) -> Any:
        """`value` as a parameter compared with the column (what a lookup would send)."""
        return self._fields[attname].get_db_prep_value(value, connection)

    def _instance(self, row: Sequence[Any]) -> M:
        values = list(row)
        for index, converters, expression in self._row_converters():
            value = values[index]
            for convert in converters:
                value = convert(value, expression, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self._columns.keys(), values)

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
        """Insert rows, all naming the same fields (by attname), in one statement."""
        if not rows:
            return
        names = list(rows[0])
        fields = [self._fields[name] for name in names]
        columns = ", ".join(self._columns[name] for name in names)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [field.get_db_prep_save(row[field.attname], connection) for row in rows for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.name} ({columns}) VALUES {', '.join([one] * len(rows))}", params)

    def update(self, values: Mapping[str, Any], where: Mapping[str, Any]) -> int:
        """UPDATE the rows whose fields equal `where`; returns how many rows it changed."""
        sets = ", ".join(f"{self.column(name)} = %s" for name in values)
        conditions = " AND ".join(f"{self.column(name)} = %s" for name in where)
        params = [self._fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
        params += [self.prepare_value(name, value) for name, value in where.items()]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self.name} SET {sets} WHERE {conditions}", params)
            return int(cursor.rowcount)
