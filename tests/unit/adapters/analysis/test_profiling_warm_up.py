"""warm_up() pays the engine's import costs at process start, so the first job imports nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
# A worker imports the engine when its first report arrives, unless it warmed up at start.
CHILD = """
import json, sys
if sys.argv[2] == "warm":
    from adapters.analysis.profiling import warm_up
    warm_up()
before = set(sys.modules)
from adapters.analysis.profiling import ProfilingEngine
result = ProfilingEngine().analyze_path(sys.argv[1])
ProfilingEngine().render_html(result)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _modules_imported_by_the_first_job(path: Path, mode: str) -> list[str]:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(output))


@pytest.mark.slow
def test_after_warm_up_the_first_job_imports_no_module(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text("id,amount,day,name\n1,10.5,2024-01-02,alpha\n2,,2024-01-03,beta\n3,7.25,2024-01-04,\n")

    cold = _modules_imported_by_the_first_job(path, "cold")
    warm = _modules_imported_by_the_first_job(path, "warm")

    assert cold, "a cold first job imports modules: nothing here would show what warm_up saves"
    assert warm == []


@pytest.mark.slow
def test_a_text_file_is_profiled_without_loading_pyarrow_until_warm_up_loads_it(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text("id,amount\n1,10.5\n2,3\n")

    cold = _modules_imported_by_the_first_job(path, "cold")
    warmed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from adapters.analysis.profiling import warm_up; warm_up(); print('pyarrow' in sys.modules)",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "adapters.analysis.profiling.engine" in cold
    assert "pyarrow" not in cold
    assert warmed.strip() == "True"
