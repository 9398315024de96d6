"""Fixtures for the report engine's tests: an engine and a writer of small files."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.analysis.profiling import ProfilingEngine

from .helpers import Write


@pytest.fixture
def engine() -> ProfilingEngine:
    return ProfilingEngine()


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write text (UTF-8) or bytes to a file in the test's directory and return its path."""

    def _write(name: str, content: bytes | str) -> str:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)

    return _write
