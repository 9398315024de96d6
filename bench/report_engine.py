"""Benchmark the report engine on generated CSV files (not a test).

For each size, write a CSV to a temporary directory, then run in separate subprocesses:
  - reference: polars scanning the file for a plain row count (`scan_csv(...).select(pl.len())`);
  - parse:     polars parsing every field as text (null counts), a second, harder yardstick;
  - profile:   ProfilingEngine().analyze_path(file), the single-pass full profile;
  - fan-out:   plan_chunks + profile_chunk for every chunk + merge, one after the other.
Throughput (MB/s, timed inside the child) and peak RSS (from wait4 on the child) are printed,
each also as a ratio against the reference, and against the parse, measured in the same run.
Files are deleted after.

    .venv/bin/python bench/report_engine.py                 # 100 MB and 1 GB
    .venv/bin/python bench/report_engine.py --sizes 50,200 --chunk-mb 64
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
MB = 1_000_000

REFERENCE = """
import json, sys, time
import polars as pl
started = time.perf_counter()
rows = pl.scan_csv(sys.argv[1]).select(pl.len()).collect().item()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))
"""
PARSE = """
import json, sys, time
import polars as pl
started = time.perf_counter()
nulls = pl.scan_csv(sys.argv[1], infer_schema=False).select(pl.all().null_count()).collect()
rows = pl.scan_csv(sys.argv[1], infer_schema=False).select(pl.len()).collect().item()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))
"""
PROFILE = """
import json, sys, time
from adapters.analysis.profiling import ProfilingEngine
started = time.perf_counter()
result = ProfilingEngine().analyze_path(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "rows": result["summary"]["rows"]}))
"""
FAN_OUT = """
import json, os, sys, time
from adapters.analysis.profiling import ProfilingEngine
engine = ProfilingEngine()
started = time.perf_counter()
chunks = engine.plan_chunks(sys.argv[1], target_bytes=int(sys.argv[2]))
partials = [json.loads(json.dumps(engine.profile_chunk(sys.argv[1], chunk))) for chunk in chunks]
result = engine.merge(partials, file_bytes=os.path.getsize(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - started, "rows": result["summary"]["rows"], "chunks": len(chunks)}))
"""


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    seconds: float
    peak_rss: int
    rows: int
    note: str = ""


def generate(path: Path, megabytes: int) -> None:
    """A realistic mix: unique ids, a mid-cardinality key, floats, dates, booleans, quoted text."""
    with path.open("wb") as handle:
        part, offset = 0, 0
        while handle.tell() < megabytes * MB:
            rng = np.random.default_rng(part)
            n = 250_000
            pl.DataFrame(
                {
                    "id": np.arange(offset, offset + n),
                    "customer": np.char.add("cust", rng.integers(0, 50_000, n).astype(str)),
                    "amount": rng.normal(100, 30, n).round(2),
                    "category": rng.choice(["a", "b", "c", "d", "NA"], n),
                    "day": (np.datetime64("2020-01-01") + rng.integers(0, 2_000, n)).astype("datetime64[D]"),
                    "flag": rng.choice([True, False], n),
                    "note": rng.choice(["", "ok", 'said "hi", then left', "two\nlines"], n),
                }
            ).write_csv(handle, include_header=part == 0)
            part, offset = part + 1, offset + n


def run_child(name: str, code: str, *args: str) -> Run:
    """Run `code` in a fresh interpreter; its peak RSS comes from wait4, so only that child counts."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, env=env, stdout=subprocess.PIPE) as child:
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{name} failed with exit code {child.returncode}")
    report = json.loads(output)
    note = f"{report['chunks']} chunks" if "chunks" in report else ""
    return Run(name=name, seconds=report["seconds"], peak_rss=usage.ru_maxrss * 1024, rows=report["rows"], note=note)


def bench(size_mb: int, directory: Path, chunk_bytes: int) -> None:
    path = directory / f"bench-{size_mb}mb.csv"
    started = time.perf_counter()
    generate(path, size_mb)
    size = path.stat().st_size
    print(f"\n{size / MB:,.0f} MB CSV generated in {time.perf_counter() - started:.1f} s")
    try:
        runs = [
            run_child("reference (polars row count)", REFERENCE, str(path)),
            run_child("polars parse (all fields)", PARSE, str(path)),
            run_child("profile (single pass)", PROFILE, str(path)),
            run_child("profile (fan-out, sequential)", FAN_OUT, str(path), str(chunk_bytes)),
        ]
    finally:
        path.unlink()
    reference, parse = runs[0], runs[1]
    print(f"{'run':32} {'MB/s':>8} {'x ref':>7} {'x parse':>8} {'peak RSS MiB':>13} {'x ref':>6} {'x parse':>8}  rows")
    for run in runs:
        throughput = size / MB / run.seconds
        print(
            f"{run.name:32} {throughput:8.1f} {reference.seconds / run.seconds:7.3f} {parse.seconds / run.seconds:8.3f}"
            f" {run.peak_rss / 2**20:13.0f} {run.peak_rss / reference.peak_rss:6.2f}"
            f" {run.peak_rss / parse.peak_rss:8.2f}  {run.rows:,} {run.note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000", help="comma-separated file sizes in MB (default 100,1000)")
    parser.add_argument("--chunk-mb", type=int, default=256, help="fan-out chunk target in MB (default 256)")
    parser.add_argument("--dir", default=None, help="where to write the temporary files (default: system temp)")
    options = parser.parse_args()
    print(f"python {sys.version.split()[0]}, polars {pl.__version__}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="report-engine-bench-", dir=options.dir) as directory:
        for size in (int(part) for part in options.sizes.split(",")):
            bench(size, Path(directory), options.chunk_mb * MB)


if __name__ == "__main__":
    main()
