"""The ReportEngine port over the profiling library: its errors become the domain's."""

from __future__ import annotations

from typing import Any, Literal

from adapters.analysis.profiling import ProfilingEngine, SchemaError, parse_schema, warm_up
from domain.errors import InvalidReportFile, InvalidSchema
from domain.ports import Checkpoint, no_checkpoint


class ProfilingReportEngine:
    def __init__(self, *, null_values: tuple[str, ...] = (), max_columns: int = 1000) -> None:
        self._engine = ProfilingEngine(null_values=null_values, max_columns=max_columns)

    def warm_up(self) -> None:
        """Pay the engine's import and first-call costs now (call it once at worker start)."""
        warm_up()

    def check_schema(self, schema: dict[str, Any]) -> None:
        try:
            parse_schema(schema)
        except SchemaError as exc:
            raise InvalidSchema(str(exc)) from exc

    def analyze_path(
        self, path: str, *, schema: dict[str, Any] | None, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]:
        return self._engine.analyze_path(path, schema=schema, checkpoint=checkpoint)

    def plan_chunks(
        self, path: str, *, target_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> list[dict[str, Any]]:
        return self._engine.plan_chunks(path, target_bytes=target_bytes, checkpoint=checkpoint)

    def profile_chunk(
        self,
        path: str,
        chunk: dict[str, Any],
        *,
        schema: dict[str, Any] | None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> dict[str, Any]:
        try:
            return self._engine.profile_chunk(path, chunk, schema=schema, checkpoint=checkpoint)
        except InvalidReportFile:
            raise
        except ValueError as exc:  # a chunk that no longer matches its file will never work
            raise InvalidReportFile(f"chunk cannot be read: {exc}") from exc

    def merge(
        self, partials: list[dict[str, Any]], *, file_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]:
        return self._engine.merge(partials, file_bytes=file_bytes, checkpoint=checkpoint)

    def render_html(self, result: dict[str, Any], *, checkpoint: Checkpoint = no_checkpoint) -> str:
        return self._engine.render_html(result, checkpoint=checkpoint)

    def export_csv(self, result: dict[str, Any], *, table: Literal["columns", "violations"]) -> str:
        return self._engine.export_csv(result, table=table)
