from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

# Called now and then with the fraction done (or None when unknown); it raises
# AttemptAborted when the work must stop, which the engine lets propagate.
Checkpoint = Callable[[float | None], None]


def no_checkpoint(progress: float | None = None) -> None:
    return None


class ReportEngine(Protocol):
    """Profiles a tabular file, whole or in chunks whose partial results merge.

    Methods that read a file raise InvalidReportFile (permanent) when it cannot be read
    as a report.
    """

    def check_schema(self, schema: dict[str, Any]) -> None:
        """Raises InvalidSchema when `schema` is not a valid declared schema."""

    def analyze_path(
        self, path: str, *, schema: dict[str, Any] | None, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]: ...

    def plan_chunks(self, path: str, *, target_bytes: int) -> list[dict[str, Any]]: ...

    def profile_chunk(
        self,
        path: str,
        chunk: dict[str, Any],
        *,
        schema: dict[str, Any] | None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> dict[str, Any]: ...

    def merge(self, partials: list[dict[str, Any]], *, file_bytes: int) -> dict[str, Any]: ...

    def render_html(self, result: dict[str, Any]) -> str:
        """A self-contained page; everything that came from the file is escaped."""

    def export_csv(self, result: dict[str, Any], *, table: Literal["columns", "violations"]) -> str:
        """A table of the result as CSV, with spreadsheet formula injection neutralised."""
