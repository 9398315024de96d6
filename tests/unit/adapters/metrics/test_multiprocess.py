"""A process manager's metrics directory: emptied at start-up, named before anything counts,
so every child process counts into it. Each case runs in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def run(code: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_directory_is_emptied_and_named_for_the_children(tmp_path: Path) -> None:
    (tmp_path / "counter_1.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not a metrics file")

    done = run(f"""
        import os
        from pathlib import Path
        from adapters.metrics import multiprocess
        multiprocess.use_directory(Path({str(tmp_path)!r}))
        print(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    """)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_prometheus_client_imported_earlier_by_another_package_still_counts_into_the_directory(tmp_path: Path) -> None:
    done = run(f"""
        import os
        from pathlib import Path
        import prometheus_client  # as flower's celery command plugin does, before any worker starts
        from adapters.metrics import multiprocess
        multiprocess.use_directory(Path({str(tmp_path)!r}))
        pid = os.fork()
        if pid == 0:
            from adapters.metrics.definitions import JOBS_SUBMITTED
            JOBS_SUBMITTED.labels(kind="k", queue="q").inc()
            os._exit(0)
        os.waitpid(pid, 0)
        from adapters.metrics.exposition import render
        print(render().decode())
    """)

    assert done.returncode == 0, done.stderr
    assert 'reportflow_jobs_submitted_total{kind="k",queue="q"} 1.0' in done.stdout


def test_metrics_created_before_the_directory_is_chosen_are_refused_loudly(tmp_path: Path) -> None:
    done = run(f"""
        from pathlib import Path
        import adapters.metrics.definitions
        from adapters.metrics import multiprocess
        multiprocess.use_directory(Path({str(tmp_path)!r}))
    """)

    assert done.returncode != 0
    assert "MetricsImportedTooEarly" in done.stderr
