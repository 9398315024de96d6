"""A file of one block is profiled in the caller's thread, with no parse bound to fail: a worker
draining thousands of tiny reports pays for the work, not for thread hand-offs."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from adapters.analysis.profiling import ProfilingEngine
from adapters.analysis.profiling import progress as progress_module
from adapters.analysis.profiling.progress import Progress, supervised
from adapters.analysis.profiling.stats import candidates, column
from domain.errors import AttemptAborted

from .helpers import Write

SMALL = "id,amount,label\n1,10.5,a\n2,20.25,b\n3,30,c\n"
# Values at the edges of every parse: each candidate must die or live exactly as without screening.
TRICKY = (
    "flag,number,word,day,at,mixed,spaced\n"
    "True,nan,e,2024-01-02,2024-01-02T09:30:00,1e5, false \n"
    "FALSE,-inf,E,+2024-01-02,2024-01-02 10:00,inf,TRUE\n"
    "true,Infinity,n,2024-1-2,2024-01-02T11:00:00+02:00,.5, true\n"
)


def _engine_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("report-engine")]


def test_a_file_of_one_block_is_profiled_and_rendered_without_starting_a_thread(
    engine: ProfilingEngine, write: Write
) -> None:
    path = write("small.csv", SMALL)
    seen: list[list[str]] = []

    result = engine.analyze_path(path, checkpoint=lambda share: seen.append(_engine_threads()))
    engine.render_html(result, checkpoint=lambda share: seen.append(_engine_threads()))

    assert seen, "the checkpoint was never called"
    assert all(names == [] for names in seen)
    assert result["summary"] == {"rows": 3, "columns": 3}


def test_a_checkpoint_raising_inside_inline_work_stops_it_and_propagates(engine: ProfilingEngine, write: Write) -> None:
    path = write("small.csv", SMALL)
    calls: list[float | None] = []

    def checkpoint(share: float | None) -> None:
        calls.append(share)
        raise AttemptAborted("the job was cancelled")

    with pytest.raises(AttemptAborted, match="cancelled"):
        engine.analyze_path(path, checkpoint=checkpoint)

    assert calls == [0.0]


def test_inline_work_calls_its_checkpoint_from_its_ticks_once_the_tick_interval_passed() -> None:
    seen: list[float | None] = []

    def work(progress: Progress) -> str:
        progress.tick()  # too soon: no call
        time.sleep(progress_module.TICK_SECONDS * 1.5)
        progress.tick()
        progress.report(0.5)
        return "done"

    assert supervised(work, seen.append, inline=True) == "done"
    assert seen == [None, 0.5]


def test_a_file_larger_than_a_block_still_runs_beside_the_caller(write: Write) -> None:
    path = write("rows.csv", "n\n" + "".join(f"{n}\n" for n in range(20_000)))
    seen: list[list[str]] = []

    ProfilingEngine(block_bytes=16 * 1024).analyze_path(path, checkpoint=lambda share: seen.append(_engine_threads()))

    assert any("report-engine-work" in names for names in seen)


def test_screening_a_tiny_batch_skips_the_parses_bound_to_fail(
    engine: ProfilingEngine, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(column, "PLAIN_ROWS", 0)  # the query's path (plain values need none)
    parsed: list[str] = []
    for name in ("plain_boolean_of", "parse_boolean", "unpadded_float_of", "float_of", "parse_temporal"):
        original = getattr(candidates, name)

        def spy(values: Any, _original: Any = original, _name: str = name) -> Any:
            parsed.append(_name)
            return _original(values)

        monkeypatch.setattr(candidates, name, spy)
    column._steps.cache_clear()  # a query's expressions are built once per column state: build them anew

    engine.analyze_path(write("small.csv", SMALL))
    column._steps.cache_clear()  # none built with a spy may serve later tests

    assert parsed == ["unpadded_float_of", "unpadded_float_of"]  # id and amount; label has no digit, no e, no -


def test_screened_and_fully_parsed_tiny_files_give_the_same_result(
    engine: ProfilingEngine, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("tricky.csv", TRICKY)
    screened = engine.analyze_path(path)
    monkeypatch.setattr(column, "SCREEN_ROWS", 0)

    parsed = engine.analyze_path(path)

    assert [c["type"] for c in screened["columns"]] == [
        "boolean",
        "float",
        "string",
        "date",
        "datetime",
        "float",
        "boolean",
    ]
    assert {**screened, "duration_seconds": 0} == {**parsed, "duration_seconds": 0}


def test_a_query_built_for_one_file_serves_the_next_and_changes_none_of_its_results(
    engine: ProfilingEngine, write: Write
) -> None:
    small, tricky = write("small.csv", SMALL), write("tricky.csv", TRICKY)
    column._steps.cache_clear()
    alone = engine.analyze_path(tricky)
    engine.analyze_path(small)
    built = column._steps.cache_info().currsize

    after_another = engine.analyze_path(tricky)

    assert column._steps.cache_info().currsize == built  # nothing built anew for a file seen before
    assert {**after_another, "duration_seconds": 0} == {**alone, "duration_seconds": 0}
