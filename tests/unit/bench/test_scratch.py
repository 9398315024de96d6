from __future__ import annotations

import tempfile
from pathlib import Path

from bench.stacks import scratch_root


def test_runs_keep_their_files_under_the_repository_var_not_the_system_temporary_directory() -> None:
    root = scratch_root()

    assert root == Path(__file__).resolve().parents[3] / "var" / "bench"
    assert root.is_dir()
    assert not root.is_relative_to(tempfile.gettempdir())
