"""A partial profile: what one chunk learnt, JSON-serialisable, mergeable with the other chunks'."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any

import polars as pl

from domain.errors import InvalidReportFile

from .checks.checker import SchemaChecker
from .checks.schema import DeclaredSchema
from .progress import Tick, no_tick
from .settings import EngineSettings
from .source.batch import Batch
from .source.chunk_spec import ChunkSpec
from .source.text_frame import normalise_nulls
from .stats.column import SCREEN_ROWS, ColumnAccumulator, first_row, run_steps, split_facts

PARTIAL_VERSION = 2
_POOL_ROWS = 20_000
_QUERY_COLUMNS = 32


class PartialProfile:
    """Rows, per-column accumulators, data-quality facts and schema violations of some chunks."""

    def __init__(self, chunk: ChunkSpec, settings: EngineSettings, schema: DeclaredSchema | None) -> None:
        self.chunk = chunk
        self.settings = settings
        self.rows = 0
        self.columns = {name: ColumnAccumulator(name) for name in chunk.source.columns}
        self.ragged_rows = 0
        self.ragged_lines: list[int] = []
        self.blank_lines = 0
        self.duration_seconds = 0.0
        self._pending: list[Future[None]] = []
        self.checker = None
        if schema is not None:
            absent_is_null = chunk.source.format == "jsonl"
            self.checker = SchemaChecker(schema, cap=settings.max_violations, absent_is_null=absent_is_null)

    def observe(self, batch: Batch, *, pool: Executor | None = None, tick: Tick = no_tick) -> None:
        """Profile a batch; with a pool, columns are profiled concurrently (each by one thread),
        and may still be when this returns: the query of the next batch runs meanwhile.
        `settle()` waits for them; call it before reading what this partial learnt.

        `tick` is called in this thread after every column and every schema rule.
        """
        frame = batch.frame if batch.nulls_normalised else normalise_nulls(batch.frame, self.settings.null_values)
        for name in frame.columns:
            if name not in self.columns:
                self._add_column(name)
        limit, budget = self._exact_limits()
        if frame.height <= SCREEN_ROWS:
            self.settle(tick)  # screening drops candidates, which the last batch's columns may be changing
        facts = self._facts(frame, tick)
        self.settle(tick)  # a column takes its batches in order
        columns = [
            (self.columns[name], frame[name], facts[str(position)]) for position, name in enumerate(frame.columns)
        ]

        def observe_column(position: int) -> None:
            column, values, found = columns[position]
            column.absorb(values, found, limit=limit, budget=budget)

        # Threads pay off when each column's work is long native work that releases the GIL; a
        # short column is mostly Python, and threads would only fight over the GIL (with the
        # caller's thread too, which must get it to call the checkpoint).
        if pool is not None and frame.height >= _POOL_ROWS:
            self._pending = [pool.submit(observe_column, position) for position in range(len(columns))]
        else:
            for position in range(len(columns)):
                observe_column(position)
                tick()
        if self.checker is not None:
            self.checker.observe(frame, batch.lines, tick=tick)
        self.rows += frame.height
        self.blank_lines += batch.blank_lines
        self.ragged_rows += len(batch.ragged_lines)
        room = self.settings.max_quality_lines - len(self.ragged_lines)
        self.ragged_lines += [int(line) for line in batch.ragged_lines[: max(room, 0)]]

    def settle(self, tick: Tick = no_tick) -> None:
        """Wait for the columns of the last batch observed with a pool, raising what one raised;
        `tick` is called after each."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()
            tick()

    def _facts(self, frame: pl.DataFrame, tick: Tick) -> dict[str, dict[str, Any]]:
        """What every column needs of the batch, by position: one query per group of columns
        computes it (polars evaluates its expressions in parallel), each column then folds its
        share in. Groups bound the parsed values held at once, and `tick` is called after each."""
        facts: dict[str, dict[str, Any]] = {}
        for start in range(0, frame.width, _QUERY_COLUMNS):
            steps = []
            for position, name in enumerate(frame.columns[start : start + _QUERY_COLUMNS], start=start):
                column, values = self.columns[name], frame[name]
                column.screen(values)
                found = column.plain_facts(values)
                if found is None:
                    steps.append(column.facts(position))
                else:  # no query for it (see plain_facts.py)
                    facts[str(position)] = found
            if steps:
                facts |= split_facts(first_row(run_steps(frame, steps)))
            tick()
        return facts

    def merge(self, other: PartialProfile, *, tick: Tick = no_tick) -> None:
        """Fold in the partial of a later chunk; `tick` is called after every column."""
        for name in other.columns:
            if name not in self.columns:
                self._add_column(name)
        limit, budget = self._exact_limits()
        for name, column in other.columns.items():
            self.columns[name].merge(column, limit=limit, budget=budget)
            tick()
        self.rows += other.rows
        self.blank_lines += other.blank_lines
        self.ragged_rows += other.ragged_rows
        self.ragged_lines = sorted(self.ragged_lines + other.ragged_lines)[: self.settings.max_quality_lines]
        self.duration_seconds += other.duration_seconds
        if self.checker is not None and other.checker is not None:
            self.checker.log.merge(other.checker.log)

    def _add_column(self, name: str) -> None:
        if len(self.columns) >= self.settings.max_columns:
            raise InvalidReportFile(
                f"the file has more than {self.settings.max_columns:,} columns (keys); that is the limit"
            )
        self.columns[name] = ColumnAccumulator(name)

    def _exact_limits(self) -> tuple[int, int]:
        """Exact value tables share one memory budget across the columns."""
        return self.settings.exact_distinct_limit, self.settings.exact_budget_bytes // max(len(self.columns), 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "partial_version": PARTIAL_VERSION,
            "chunk": self.chunk.model_dump(mode="json"),
            "null_values": list(self.settings.null_values),
            "rows": self.rows,
            "columns": [column.to_json() for column in self.columns.values()],
            "quality": {
                "ragged_rows": self.ragged_rows,
                "ragged_lines": self.ragged_lines,
                "blank_lines": self.blank_lines,
            },
            "schema_check": None if self.checker is None else self._schema_json(self.checker),
            "duration_seconds": self.duration_seconds,
        }

    @staticmethod
    def _schema_json(checker: SchemaChecker) -> dict[str, Any]:
        return {"schema": checker.schema.model_dump(mode="json"), **checker.log.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any], settings: EngineSettings) -> PartialProfile:
        schema = None if data["schema_check"] is None else DeclaredSchema.model_validate(data["schema_check"]["schema"])
        partial = cls(ChunkSpec.model_validate(data["chunk"]), settings, schema)
        partial.rows = int(data["rows"])
        partial.columns = {column["name"]: ColumnAccumulator.from_json(column) for column in data["columns"]}
        quality = data["quality"]
        partial.ragged_rows, partial.blank_lines = int(quality["ragged_rows"]), int(quality["blank_lines"])
        partial.ragged_lines = [int(line) for line in quality["ragged_lines"]]
        partial.duration_seconds = float(data["duration_seconds"])
        if partial.checker is not None:
            partial.checker.log.load(data["schema_check"])
        return partial
