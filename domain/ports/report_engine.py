from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from domain.profile import ChunkPlan, DeclaredSchema, PartialProfile, ProfileResult

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

    def warm_up(self) -> None:
        """Pay import and first-call costs now, so the first job does not."""

    def check_schema(self, schema: DeclaredSchema) -> None:
        """Raises InvalidSchema when `schema` is not a valid declared schema."""

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult: ...

    def plan_chunks(self, path: str, *, target_bytes: int, checkpoint: Checkpoint = no_checkpoint) -> list[ChunkPlan]:
        """Cut the file into chunks of about `target_bytes`, each starting on a record."""

    def profile_chunk(
        self,
        path: str,
        chunk: ChunkPlan,
        *,
        schema: DeclaredSchema | None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> PartialProfile: ...

    def merge(
        self, partials: list[PartialProfile], *, file_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult: ...

    def render_html(self, result: ProfileResult, *, checkpoint: Checkpoint = no_checkpoint) -> str:
        """A self-contained page; everything that came from the file is escaped."""

    def export_csv(self, result: ProfileResult, *, table: Literal["columns", "violations"]) -> str:
        """A table of the result as CSV, with spreadsheet formula injection neutralised."""
