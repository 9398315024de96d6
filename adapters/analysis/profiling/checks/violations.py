"""Violations of the declared schema: counts per column and rule, plus the first N in file order."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

RULES = ("missing_column", "unexpected_column", "null", "type", "min", "max", "allowed_values", "regex")
VALUE_CHARS = 200


class ViolationLog:
    """Keeps the first `cap` violations ordered by (line, declared column order, rule), counts all."""

    __slots__ = ("cap", "counts", "entries", "order")

    def __init__(self, *, cap: int, order: dict[str, int]) -> None:
        self.cap = cap
        self.order = order
        self.entries: list[dict[str, Any]] = []
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    @property
    def room(self) -> int:
        return self.cap - len(self.entries)

    def count(self, column: str, rule: str, n: int) -> None:
        self.counts[column][rule] += n

    def add(self, entries: list[dict[str, Any]]) -> None:
        """Add entries (already counted); only the first `cap` in file order are kept."""
        self.entries = sorted([*self.entries, *entries], key=self._key)[: self.cap]

    def merge(self, other: ViolationLog) -> None:
        for column, rules in other.counts.items():
            for rule, n in rules.items():
                self.counts[column][rule] += n
        self.add(other.entries)

    def drop_columns(self, columns: set[str]) -> None:
        """Forget the row-level violations of columns that turned out absent from the whole file."""
        for column in columns:
            self.counts.pop(column, None)
        self.entries = [entry for entry in self.entries if entry["column"] not in columns]

    def _key(self, entry: dict[str, Any]) -> tuple[int, int, int]:
        line = -1 if entry["line"] is None else entry["line"]
        return line, self.order.get(entry["column"], len(self.order)), RULES.index(entry["rule"])

    def to_json(self) -> dict[str, Any]:
        counts = {column: dict(rules) for column, rules in self.counts.items()}
        return {"counts": counts, "entries": self.entries}

    def load(self, data: dict[str, Any]) -> None:
        for column, rules in data["counts"].items():
            for rule, n in rules.items():
                self.counts[column][rule] += int(n)
        self.add(list(data["entries"]))


def clip(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + "…"
