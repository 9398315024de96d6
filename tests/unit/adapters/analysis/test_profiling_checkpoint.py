"""The engine reports progress at checkpoints, and stops when a checkpoint says so."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from adapters.analysis.profiling import ProfilingEngine
from domain.errors import AttemptAborted


def _csv(tmp_path: Path) -> str:
    path = tmp_path / "rows.csv"
    pl.DataFrame({"n": np.arange(200_000), "s": np.arange(200_000) % 13}).write_csv(path)
    return str(path)


def test_progress_grows_block_by_block_up_to_the_whole_file(tmp_path: Path) -> None:
    seen: list[float | None] = []

    ProfilingEngine(block_bytes=256 * 1024).analyze_path(_csv(tmp_path), checkpoint=seen.append)

    shares = [share for share in seen if share is not None]
    assert len(shares) > 5
    assert shares == sorted(shares)
    assert shares[-1] == 1.0


def test_an_aborted_attempt_stops_the_profile_and_propagates(tmp_path: Path) -> None:
    calls = []

    def checkpoint(share: float | None) -> None:
        calls.append(share)
        if len(calls) == 3:
            raise AttemptAborted("the job was cancelled")

    with pytest.raises(AttemptAborted, match="cancelled"):
        ProfilingEngine(block_bytes=256 * 1024).analyze(
            io.BytesIO(Path(_csv(tmp_path)).read_bytes()), checkpoint=checkpoint
        )

    assert len(calls) == 3


def test_a_chunk_reports_its_own_progress(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    engine = ProfilingEngine(block_bytes=64 * 1024)
    chunk = engine.plan_chunks(path, target_bytes=400_000)[1]
    seen: list[float | None] = []

    engine.profile_chunk(path, chunk, checkpoint=seen.append)

    assert seen[-1] == 1.0
