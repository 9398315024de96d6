"""Fan-in: fold the partial profiles of every chunk of one file into the final result."""

from __future__ import annotations

from typing import Any

from .finalize import build_result
from .partial import PARTIAL_VERSION, PartialProfile
from .progress import Tick, no_tick
from .settings import EngineSettings


class PartialMismatch(ValueError):
    """The partials do not belong together: another file, other settings, or chunks missing."""


def merge_partials(
    partials: list[dict[str, Any]], *, file_bytes: int, settings: EngineSettings, tick: Tick = no_tick
) -> dict[str, Any]:
    """Raises PartialMismatch unless the partials are exactly the chunks of one plan.

    `tick` is called after every partial loaded and every column merged or finished.
    """
    if not partials:
        raise PartialMismatch("there are no partial profiles to merge")
    versions = {partial.get("partial_version") for partial in partials}
    if versions != {PARTIAL_VERSION}:
        raise PartialMismatch(f"unsupported partial profile version(s): {sorted(map(str, versions))}")
    try:
        loaded = sorted((_load(partial, settings, tick) for partial in partials), key=lambda p: p.chunk.index)
    except (KeyError, TypeError, ValueError) as exc:
        raise PartialMismatch(f"a partial profile is malformed ({type(exc).__name__}: {exc})") from exc
    _check_belong_together(loaded, partials, settings)
    total = loaded[0]
    for partial in loaded[1:]:
        total.merge(partial, tick=tick)
    if total.checker is not None:
        total.checker.finish(list(total.columns))
    return build_result(total, file_bytes=file_bytes, chunks=len(loaded), tick=tick)


def _load(partial: dict[str, Any], settings: EngineSettings, tick: Tick) -> PartialProfile:
    loaded = PartialProfile.from_json(partial, settings)
    tick()
    return loaded


def _check_belong_together(loaded: list[PartialProfile], raw: list[dict[str, Any]], settings: EngineSettings) -> None:
    first = loaded[0].chunk
    if any(partial.chunk.source != first.source for partial in loaded):
        raise PartialMismatch("the partial profiles come from different files")
    if [partial.chunk.index for partial in loaded] != list(range(first.count)):
        found = [partial.chunk.index for partial in loaded]
        raise PartialMismatch(f"expected chunks 0..{first.count - 1} exactly once, got {found}")
    if any(tuple(partial["null_values"]) != settings.null_values for partial in raw):
        raise PartialMismatch("the partial profiles were computed with other null_values than this engine's")
    schemas = {None if p.checker is None else p.checker.schema.model_dump_json() for p in loaded}
    if len(schemas) > 1:
        raise PartialMismatch("the partial profiles were checked against different schemas")
