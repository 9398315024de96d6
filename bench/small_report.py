"""What a drained job's work costs in one process: the 3-row report profiled and its documents
rendered, step by step (not a test).

Each round runs a fresh process per side (this checkout, and another commit's from a git
worktree with --baseline), which warms the engine up as a worker does, then profiles and
renders the bench's 3-row CSV 500 times; the rounds alternate the sides. Printed: the median
over the rounds of each step's mean, in milliseconds. `--pause 0.05` sleeps before each job, as
an idle worker has (100 jobs then): every step is slower after a pause (see bench.cold_start).

    .venv/bin/python -m bench.small_report
    .venv/bin/python -m bench.small_report --baseline main~1 --rounds 5
    .venv/bin/python -m bench.small_report --pause 0.05
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.baseline import baseline
from bench.load import CSV
from bench.stacks import scratch_root

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import json, os, sys, time
from adapters.analysis.profiling import warm_up
from adapters.analysis.report_engine import ProfilingReportEngine
warm_up()
engine, path, steps = ProfilingReportEngine(), sys.argv[1], {"profile": 0.0, "html": 0.0, "csv": 0.0, "json": 0.0}
warm, measured, pause = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for round in range(warm + measured):
    if pause:
        time.sleep(pause)
    started = time.perf_counter()
    result = engine.analyze_path(path, schema=None)
    profiled = time.perf_counter()
    engine.render_html(result)
    rendered = time.perf_counter()
    engine.export_csv(result, table="columns"), engine.export_csv(result, table="violations")
    exported = time.perf_counter()
    json.dumps(result.document, separators=(",", ":"))
    if round >= warm:  # the first ones warm caches up
        steps["profile"] += profiled - started
        steps["html"] += rendered - profiled
        steps["csv"] += exported - rendered
        steps["json"] += time.perf_counter() - exported
print(json.dumps({step: 1000 * seconds / measured for step, seconds in steps.items()}))
"""


def run(root: Path, path: Path, *, warm: int = 100, measured: int = 500, pause: float = 0.0) -> dict[str, float]:
    """Milliseconds per step, the mean over `measured` rounds after `warm` ones, in a fresh
    process running the code of the checkout at `root`, sleeping `pause` seconds before each."""
    argv = [sys.executable, "-c", _CHILD, str(path), str(warm), str(measured), str(pause)]
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", metavar="COMMIT", help="also run the code of COMMIT, alternating")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds to sleep before each job (100 jobs then)")
    options = parser.parse_args()
    with ExitStack() as resources:
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="small-", dir=scratch_root())))
        path = scratch / "bench.csv"
        path.write_bytes(CSV)
        sides = {"this checkout": ROOT}
        if options.baseline:
            found = resources.enter_context(baseline(options.baseline, scratch))
            sides[f"at {found.commit}"] = found.side.root
        measured: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
        for _ in range(options.rounds):
            for name, root in sides.items():
                if options.pause:
                    measured[name].append(run(root, path, warm=20, measured=100, pause=options.pause))
                else:
                    measured[name].append(run(root, path))
    for name, rounds in measured.items():
        steps = {step: statistics.median(found[step] for found in rounds) for step in rounds[0]}
        spread = [sum(found.values()) for found in rounds]
        print(
            f"{name}: "
            + ", ".join(f"{step} {ms:.2f} ms" for step, ms in steps.items())
            + f" (all four {min(spread):.2f}-{max(spread):.2f} ms over {len(rounds)} rounds)"
        )


if __name__ == "__main__":
    main()
