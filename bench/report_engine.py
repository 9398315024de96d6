"""Benchmark the report engine against a plain polars profile of the same file (not a test).

A 10-column CSV (ints, floats, strings, dates, date-times, booleans, quoted text; 1M rows,
about 94 MB; 1 GB with --large) is generated under var/bench/ (never committed), then, in
fresh subprocesses alternating for `repetitions` rounds:
  - polars:     the plain polars profile: read_csv, one select of null_count/min/max/n_unique/
                mean/std per column, and value_counts top 5 per column;
  - reportflow: ProfilingEngine().analyze_path(file), the full single-pass profile.
Each child times itself; its peak RSS comes from wait4. `rows()` returns the table (median and
min-max of MB/s and peak RSS, and the ratios), and checks that count, nulls, min, max, mean,
std and exact distinct counts agree with polars' (means and std to 1e-12 relative: both are
exact, but sum in another order).

    .venv/bin/python bench/report_engine.py               # 94 MB, 3 rounds
    .venv/bin/python bench/report_engine.py --large -n 3  # and 1 GB
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
MB = 1_000_000
ROWS_PER_PART = 250_000

POLARS = """
import json, sys, time
import polars as pl
started = time.perf_counter()
frame = pl.read_csv(sys.argv[1], try_parse_dates=True)
numeric = [c for c, dtype in frame.schema.items() if dtype.is_numeric() or dtype == pl.Boolean]
stats = frame.select(
    [pl.col(c).null_count().alias(f"{c}\\0nulls") for c in frame.columns]
    + [pl.col(c).min().alias(f"{c}\\0min") for c in frame.columns]
    + [pl.col(c).max().alias(f"{c}\\0max") for c in frame.columns]
    + [pl.col(c).n_unique().alias(f"{c}\\0distinct") for c in frame.columns]
    + [pl.col(c).mean().alias(f"{c}\\0mean") for c in numeric]
    + [pl.col(c).std().alias(f"{c}\\0std") for c in numeric]
).row(0, named=True)
tops = {c: frame[c].value_counts(sort=True).head(5).rows() for c in frame.columns}
seconds = time.perf_counter() - started
columns = {}
for key, value in stats.items():
    name, stat = key.split("\\0")
    columns.setdefault(name, {"dtype": str(frame.schema[name]), "count": frame.height})[stat] = value
for name, column in columns.items():
    column["count"] -= column["nulls"]
print(json.dumps({"seconds": seconds, "rows": frame.height, "columns": columns}, default=str))
"""
REPORTFLOW = """
import json, sys, time
from adapters.analysis.profiling import ProfilingEngine
started = time.perf_counter()
result = ProfilingEngine().analyze_path(sys.argv[1])
seconds = time.perf_counter() - started
columns = {c["name"]: c for c in result["columns"]}
print(json.dumps({"seconds": seconds, "rows": result["summary"]["rows"], "columns": columns}))
"""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss: int
    rows: int
    columns: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: a measure of one file, reportflow against polars."""

    what: str
    reportflow: str
    polars: str
    ratio: float
    target: str


def generate(path: Path, rows: int) -> None:
    """Ten columns: unique ids, a 50,000-value key, money, a category, dates, flags, quoted text,
    quantities, full-precision prices and date-times."""
    with path.open("wb") as handle:
        for part, offset in enumerate(range(0, rows, ROWS_PER_PART)):
            rng = np.random.default_rng(part)
            n = min(ROWS_PER_PART, rows - offset)
            seconds = rng.integers(0, 86_400 * 365, n).astype("timedelta64[s]")
            pl.DataFrame(
                {
                    "id": np.arange(offset, offset + n),
                    "customer": np.char.add("cust", rng.integers(0, 50_000, n).astype(str)),
                    "amount": rng.normal(100, 30, n).round(2),
                    "category": rng.choice(["a", "b", "c", "d", "NA"], n),
                    "day": (np.datetime64("2020-01-01") + rng.integers(0, 2_000, n)).astype("datetime64[D]"),
                    "flag": rng.choice([True, False], n),
                    "note": pl.Series(rng.choice(["", "ok", 'said "hi", then left', "two\nlines"], n)).replace(
                        "", None
                    ),
                    "qty": rng.integers(1, 5_000, n),
                    "price": rng.uniform(0, 1000, n).round(6),
                    "ts": (np.datetime64("2024-01-01T00:00:00") + seconds).astype("datetime64[ms]"),
                }
            ).write_csv(handle, include_header=part == 0)


def run_child(code: str, path: Path, root: Path = REPO) -> Run:
    """Run `code` on the file in a fresh process, from the checkout at `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    with subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=root, env=env, stdout=subprocess.PIPE) as child:
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"the benchmark child failed with exit code {child.returncode}")
    report = json.loads(output)
    return Run(report["seconds"], usage.ru_maxrss * 1024, report["rows"], report["columns"])


def mismatches(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Where reportflow's exact statistics differ from polars' (mean and std of numbers and booleans)."""
    found = []
    for name, reference in theirs.items():
        column = ours[name]
        temporal = reference["dtype"].startswith(("Date", "Datetime"))
        checks = {"count": column["count"], "nulls": column["nulls"]}
        checks |= {"min": column["min"], "max": column["max"]}
        if column["distinct"]["exact"]:
            checks["distinct"] = column["distinct"]["value"] + (1 if column["nulls"] else 0)  # polars counts null
        if "mean" in reference:
            checks |= {"mean": column["mean"], "std": column["std"]}
        for stat, value in checks.items():
            expected = reference[stat]
            if temporal and stat in ("min", "max"):
                expected = str(expected).replace(" ", "T")
            if isinstance(value, float) and isinstance(expected, float | int):
                same = math.isclose(value, expected, rel_tol=1e-12)
            else:
                same = value == expected
            if not same:
                found.append(f"{name}.{stat}: reportflow {value!r}, polars {expected!r}")
    return found


def _spread(values: list[float], unit: str, scale: float) -> str:
    scaled = [value / scale for value in values]
    return f"{statistics.median(scaled):,.1f} {unit} ({min(scaled):,.1f}-{max(scaled):,.1f})"


def measure(
    *, rows: int = 1_000_000, repetitions: int = 3, directory: Path | None = None, baseline: Path | None = None
) -> tuple[int, list[Run], list[Run], list[Run]]:
    """Generate the file and profile it with reportflow and with polars, alternately, each in a
    fresh process, and with the checkout at `baseline` too when given: (file size in bytes,
    reportflow's runs, polars' runs, the baseline's runs).

    Raises RuntimeError when reportflow's exact statistics differ from polars'.
    """
    folder = directory or REPO / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"engine-{rows}-rows.csv"
    generate(path, rows)
    size = path.stat().st_size
    try:
        ours: list[Run] = []
        theirs: list[Run] = []
        before: list[Run] = []
        for _ in range(repetitions):
            theirs.append(run_child(POLARS, path))
            ours.append(run_child(REPORTFLOW, path))
            if baseline is not None:
                before.append(run_child(REPORTFLOW, path, root=baseline))
    finally:
        path.unlink()
    wrong = mismatches(ours[-1].columns, theirs[-1].columns)
    if wrong:
        raise RuntimeError("reportflow's exact statistics differ from polars': " + "; ".join(wrong))
    return size, ours, theirs, before


def rows(*, rows: int = 1_000_000, repetitions: int = 3, directory: Path | None = None) -> list[Row]:
    """The engine's own table: throughput and peak RSS against the plain polars profile."""
    size, ours, theirs, _ = measure(rows=rows, repetitions=repetitions, directory=directory)
    speed = {name: [size / run.seconds for run in runs] for name, runs in (("ours", ours), ("theirs", theirs))}
    memory = {name: [float(run.peak_rss) for run in runs] for name, runs in (("ours", ours), ("theirs", theirs))}
    label = f"{size / MB:,.0f} MB CSV, {rows:,} rows x 10 columns"
    return [
        Row(
            what=f"profile throughput, {label}",
            reportflow=_spread(speed["ours"], "MB/s", MB),
            polars=_spread(speed["theirs"], "MB/s", MB),
            ratio=statistics.median(speed["ours"]) / statistics.median(speed["theirs"]),
            target=">= 1.2x (floor 1.0x)",
        ),
        Row(
            what=f"profile peak RSS, {label}",
            reportflow=_spread(memory["ours"], "MiB", 2**20),
            polars=_spread(memory["theirs"], "MiB", 2**20),
            ratio=statistics.median(memory["ours"]) / statistics.median(memory["theirs"]),
            target="<= 1.0x" + (", < 1 GiB" if size > 500 * MB else ""),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--repetitions", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--large", action="store_true", help="also profile a 1 GB file (about 10.6M rows)")
    parser.add_argument("--dir", type=Path, default=None, help="where the generated file goes (default var/bench)")
    options = parser.parse_args()
    print(f"python {sys.version.split()[0]}, polars {pl.__version__}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    table = rows(repetitions=options.repetitions, directory=options.dir)
    if options.large:
        table += rows(rows=10_640_000, repetitions=options.repetitions, directory=options.dir)
    print(f"| {'what':52} | {'reportflow':30} | {'polars':30} | ratio | target |")
    for row in table:
        print(f"| {row.what:52} | {row.reportflow:30} | {row.polars:30} | {row.ratio:5.2f} | {row.target} |")


if __name__ == "__main__":
    main()
