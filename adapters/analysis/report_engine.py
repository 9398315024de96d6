"""The ReportEngine port over the profiling library: typed values in and out, and its errors
become the domain's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from adapters.analysis.profiling import ProfileResult as ResultModel
from adapters.analysis.profiling import ProfilingEngine, SchemaError, parse_schema, warm_up
from domain.errors import InvalidReportFile, InvalidSchema
from domain.ports import Checkpoint, no_checkpoint
from domain.profile import ChunkPlan, DeclaredSchema, PartialProfile, ProfileResult


@dataclass(frozen=True, slots=True, kw_only=True)
class _Profiled(ProfileResult):
    """A result this engine made, with its model: its page and its two tables are each rendered
    from the model, which the document would otherwise be validated into three times."""

    model: ResultModel = field(compare=False, repr=False)

    @classmethod
    def of(cls, document: dict[str, object]) -> _Profiled:
        return cls(document=document, model=ResultModel.model_validate(document))


def _model(result: ProfileResult) -> ResultModel | dict[str, object]:
    return result.model if isinstance(result, _Profiled) else result.document


class ProfilingReportEngine:
    def __init__(self, *, null_values: tuple[str, ...] = (), max_columns: int = 1000) -> None:
        self._engine = ProfilingEngine(null_values=null_values, max_columns=max_columns)

    def warm_up(self) -> None:
        """Pay the engine's import and first-call costs now (call it once at worker start)."""
        warm_up()

    def check_schema(self, schema: DeclaredSchema) -> None:
        try:
            parse_schema(schema.definition)
        except SchemaError as exc:
            raise InvalidSchema(str(exc)) from exc

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        document, model = self._engine.profile_path(path, schema=_definition(schema), checkpoint=checkpoint)
        return _Profiled(document=document, model=model)

    def plan_chunks(self, path: str, *, target_bytes: int, checkpoint: Checkpoint = no_checkpoint) -> list[ChunkPlan]:
        specs = self._engine.plan_chunks(path, target_bytes=target_bytes, checkpoint=checkpoint)
        return [ChunkPlan(spec=spec) for spec in specs]

    def profile_chunk(
        self,
        path: str,
        chunk: ChunkPlan,
        *,
        schema: DeclaredSchema | None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> PartialProfile:
        try:
            data = self._engine.profile_chunk(path, chunk.spec, schema=_definition(schema), checkpoint=checkpoint)
        except InvalidReportFile:
            raise
        except ValueError as exc:  # a chunk that no longer matches its file will never work
            raise InvalidReportFile(f"chunk cannot be read: {exc}") from exc
        return PartialProfile(data=data)

    def merge(
        self, partials: list[PartialProfile], *, file_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        document = self._engine.merge([p.data for p in partials], file_bytes=file_bytes, checkpoint=checkpoint)
        return _Profiled.of(document)

    def render_html(self, result: ProfileResult, *, checkpoint: Checkpoint = no_checkpoint) -> str:
        return self._engine.render_html(_model(result), checkpoint=checkpoint)

    def export_csv(self, result: ProfileResult, *, table: Literal["columns", "violations"]) -> str:
        return self._engine.export_csv(_model(result), table=table)


def _definition(schema: DeclaredSchema | None) -> dict[str, object] | None:
    return None if schema is None else schema.definition
