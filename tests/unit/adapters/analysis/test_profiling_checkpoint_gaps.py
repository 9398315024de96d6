"""The engine calls its checkpoint often on every format and at every stage, so a cancel is seen
within a fraction of a second, and an exception raised by the checkpoint stops the work at once."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine
from adapters.analysis.profiling.progress import Checkpoint
from domain.errors import AttemptAborted

from .workbooks import write_workbook

# The work between two checkpoint calls, as this process's CPU time (all its threads): well under
# the ~1 s a cancel may take; the engine calls its checkpoint every 0.05 s of wall time. Wall
# time is bounded too, loosely: other processes loading this machine's two cores stretch it.
# CPU time adds up the reader and column threads (0.27 s was seen on a 1,000-column block, and
# 0.43 s on a machine whose cores are about half as fast): on two cores that is about half as
# much wall time.
MAX_WORK_SECONDS = 0.6
MAX_WALL_SECONDS = 1.0
ROWS = 200_000
# CSV and TSV profile fastest: their files are bigger, so their work still spans many
# checkpoint intervals (at 200,000 rows a TSV took 0.12 s, five calls, at `b2af3e5`).
TEXT_ROWS = 3 * ROWS


def _frame(rows: int = ROWS) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    return pl.DataFrame(
        {
            "id": np.arange(rows),
            "amount": rng.normal(100, 30, rows),
            "customer": np.char.add("c", rng.integers(0, 50_000, rows).astype(str)),
            "day": (np.datetime64("2020-01-01") + rng.integers(0, 2_000, rows)).astype("datetime64[D]"),
            "note": rng.choice(["", "ok", 'said "hi", then left'], rows),
        }
    )


def _csv(tmp_path: Path, rows: int = ROWS) -> str:
    _frame(rows).write_csv(tmp_path / "data.csv")
    return str(tmp_path / "data.csv")


def _tsv(tmp_path: Path) -> str:
    _frame(TEXT_ROWS).write_csv(tmp_path / "data.tsv", separator="\t")
    return str(tmp_path / "data.tsv")


def _jsonl(tmp_path: Path) -> str:
    _frame().write_ndjson(tmp_path / "data.jsonl")
    return str(tmp_path / "data.jsonl")


def _parquet(tmp_path: Path) -> str:
    """One row group for the whole file: the biggest unit a Parquet reader decodes."""
    _frame(4 * ROWS).write_parquet(tmp_path / "data.parquet", row_group_size=4 * ROWS)
    return str(tmp_path / "data.parquet")


def _xlsx(tmp_path: Path) -> str:
    rng = np.random.default_rng(7)
    amounts = rng.normal(100, 30, ROWS // 2).tolist()
    rows = [["id", "amount", "customer", "year"]]
    rows += [[n, amounts[n], f"c{n % 5_000}", 2000 + n / 12] for n in range(ROWS // 2)]
    return write_workbook(tmp_path / "data.xlsx", rows)


def _wide_csv(tmp_path: Path) -> str:
    rng = np.random.default_rng(7)
    pl.DataFrame({f"c{i}": rng.integers(0, 1_000, 4_000) for i in range(1_000)}).write_csv(tmp_path / "wide.csv")
    return str(tmp_path / "wide.csv")


def _big_csv(tmp_path: Path) -> str:
    return _csv(tmp_path, TEXT_ROWS)


FILES = {"csv": _big_csv, "tsv": _tsv, "jsonl": _jsonl, "parquet": _parquet, "xlsx": _xlsx, "wide csv": _wide_csv}


def _gaps(work: Callable[[Checkpoint], object]) -> tuple[float, float, int]:
    """The longest stretches without a checkpoint call, in CPU and wall time (from the start to the
    end of `work`), and the number of calls."""
    times = [(time.process_time(), time.perf_counter())]
    work(lambda progress: times.append((time.process_time(), time.perf_counter())))
    times.append((time.process_time(), time.perf_counter()))
    longest = np.diff(np.array(times), axis=0).max(axis=0)
    return float(longest[0]), float(longest[1]), len(times) - 2


def _assert_short(gaps: tuple[float, float, int], what: str) -> None:
    work, wall, _ = gaps
    assert work < MAX_WORK_SECONDS, f"{what}: {work:.3f} s of work without a checkpoint"
    assert wall < MAX_WALL_SECONDS, f"{what}: {wall:.3f} s without a checkpoint"


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(FILES))
def test_a_whole_file_profile_calls_its_checkpoint_at_short_intervals(tmp_path: Path, kind: str) -> None:
    path = FILES[kind](tmp_path)
    engine = ProfilingEngine()

    gaps = _gaps(lambda checkpoint: engine.analyze_path(path, checkpoint=checkpoint))

    assert gaps[2] > 5
    _assert_short(gaps, kind)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(FILES))
def test_an_exception_raised_by_the_checkpoint_stops_the_profile_at_once(tmp_path: Path, kind: str) -> None:
    path = FILES[kind](tmp_path)
    raised: list[float] = []

    def checkpoint(progress: float | None) -> None:
        # the first call in the middle of the work: a tick, or a report of part of it
        if len(raised) == 0 and (progress is None or 0 < progress < 1):
            raised.append(time.perf_counter())
            raise AttemptAborted("cancel requested")

    with pytest.raises(AttemptAborted, match="cancel requested"):
        ProfilingEngine().analyze_path(path, checkpoint=checkpoint)

    assert time.perf_counter() - raised[0] < MAX_WORK_SECONDS
    assert _engine_threads_end_within(5.0), "the abandoned work kept running"


def _engine_threads_end_within(seconds: float) -> bool:
    """The engine's threads stop at their next step; one in a native call ends when the call returns."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(thread.name.startswith("report-engine") for thread in threading.enumerate()):
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
def test_planning_profiling_a_chunk_merging_and_rendering_call_their_checkpoints_at_short_intervals(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path)
    engine = ProfilingEngine()
    chunks: list[dict[str, Any]] = []
    partials: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []

    def plan(checkpoint: Checkpoint) -> None:
        chunks.extend(engine.plan_chunks(path, target_bytes=2**20, checkpoint=checkpoint))

    def merge(checkpoint: Checkpoint) -> None:
        results.append(engine.merge(partials, file_bytes=1, checkpoint=checkpoint))

    plan_gaps = _gaps(plan)
    chunk_gaps = _gaps(lambda checkpoint: engine.profile_chunk(path, chunks[1], checkpoint=checkpoint))
    partials += [json.loads(json.dumps(engine.profile_chunk(path, chunk))) for chunk in chunks]
    merge_gaps = _gaps(merge)
    render_gaps = _gaps(lambda checkpoint: engine.render_html(results[0], checkpoint=checkpoint))

    assert len(chunks) > 5
    for gaps, what in ((plan_gaps, "plan"), (chunk_gaps, "chunk"), (merge_gaps, "merge"), (render_gaps, "render")):
        _assert_short(gaps, what)


@pytest.mark.slow
def test_spooling_a_stream_calls_its_checkpoint_at_short_intervals(tmp_path: Path) -> None:
    content = Path(_csv(tmp_path)).read_bytes() * 4

    gaps = _gaps(lambda checkpoint: ProfilingEngine().analyze(io.BytesIO(content), checkpoint=checkpoint))

    _assert_short(gaps, "spool and profile")
