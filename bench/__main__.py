"""`make bench`: reportflow side by side with the references, on real PostgreSQL and Redis.

    .venv/bin/python -m bench                               # every part, 3 repetitions
    .venv/bin/python -m bench --parts submit,drain --repetitions 5
    .venv/bin/python -m bench --baseline main~3             # and that commit, as one more side

Sides alternate within each repetition (reportflow, reference, reportflow, reference, ...);
each run gets a fresh copy of its side's migrated database and an emptied Redis database.
The table (medians and min-max, ratios of the medians) is printed and written to
bench/results/latest.md with the commit, core count, load average and date.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench import load
from bench.baseline import Baseline, baseline, git
from bench.fan_out_part import fan_out_rows
from bench.parts import PARTS, Options, Part
from bench.profile_part import profile_rows
from bench.stacks import REPORTFLOW, Bench, Side, scratch_root
from bench.table import Row, render
from tests.e2e.services import held_redis_database
from tests.e2e.stack import ROOT

DEFAULT_PARTS = [*PARTS, "profile"]
ALL_PARTS = [*DEFAULT_PARTS, "fan-out"]  # fan-out runs only when asked for: about 3 minutes a repetition
WARM_UP_JOBS = 20
Values = dict[tuple[str, str, str], list[float]]  # (part, side, metric) -> one value per repetition


def main() -> None:
    options, parts, repetitions, profile_mb, fan_out_mb, output, before = _arguments()
    started, load_before = time.monotonic(), os.getloadavg()
    rows: list[Row] = []
    notes: list[str] = []  # what a reader of the figures should know, e.g. a job that ran twice
    with ExitStack() as resources:
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="run-", dir=scratch_root())))
        base = resources.enter_context(baseline(before, scratch)) if before else None
        if base:
            notes += base.notes
        measured = [with_baseline(part, base.side if base else None) for name, part in PARTS.items() if name in parts]
        if measured or "fan-out" in parts:
            bench = Bench(resources, resources.enter_context(held_redis_database(seconds=3600)), scratch)
        if measured:
            if any(part.name != "drain" for part in measured):
                load.ensure_wrk()
            values = _measure(bench, measured, options, repetitions, notes)
            rows += _rows(measured, values)
        if "profile" in parts:
            print(f"profile: {profile_mb} MB CSV, {repetitions} repetitions", flush=True)
            rows += profile_rows(
                size_mb=profile_mb, repetitions=repetitions, scratch=scratch, baseline=base.side if base else None
            )
        if "fan-out" in parts:
            rows += fan_out_rows(bench, size_mb=fan_out_mb, repetitions=repetitions, scratch=scratch)
    elapsed = time.monotonic() - started
    table = render(rows) + "".join(f"\n\n- {note}" for note in notes[:1]) + "".join(f"\n- {note}" for note in notes[1:])
    print("\n" + table)
    output.parent.mkdir(parents=True, exist_ok=True)
    document = _document(table, parts, options, repetitions, profile_mb, load_before, elapsed, base)
    output.write_text(document)
    print(f"\n{elapsed / 60:.1f} min; written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


def _measure(bench: Bench, parts: list[Part], options: Options, repetitions: int, notes: list[str]) -> Values:
    """For each session (a group of parts sharing a stack): every repetition, every side in turn."""
    values: Values = defaultdict(list)
    sessions: dict[str, list[Part]] = defaultdict(list)
    for part in parts:
        sessions[part.session].append(part)
    for session in sessions.values():
        sides = list(dict.fromkeys(side for part in session for side in part.sides))
        for repetition in range(1, repetitions + 1):
            for side in sides:
                parts_of_side = [part for part in session if side in part.sides]
                try:
                    measured = _run(bench, parts_of_side, side, options, repetition, notes)
                except RuntimeError as exc:  # e.g. a process of the run died: one more try, then give up
                    print(f"{side.name} #{repetition} failed, running it once more: {exc}", file=sys.stderr, flush=True)
                    notes.append(f"{side.name} #{repetition} failed once and was run again: {str(exc).splitlines()[0]}")
                    measured = _run(bench, parts_of_side, side, options, repetition, notes)
                for key, value in measured.items():
                    values[key].append(value)
    return values


def _run(
    bench: Bench, session: list[Part], side: Side, options: Options, repetition: int, notes: list[str]
) -> dict[tuple[str, str, str], float]:
    measured = {}
    print(
        f"{time.strftime('%H:%M:%S')} {side.name}: {', '.join(part.name for part in session)} #{repetition}", flush=True
    )
    with bench.running(side) as running:
        if session[0].warm_up:
            load.post_many(running, WARM_UP_JOBS, concurrency=4)
            running.submitted += WARM_UP_JOBS
        for part in session:
            figures = part.measure(running, options)
            measured.update({(part.name, side.name, metric): value for metric, value in figures.items()})
            shown = ", ".join(f"{metric} {value:.1f}" for metric, value in figures.items())
            print(f"{time.strftime('%H:%M:%S')}   {part.name}: {shown}", flush=True)
    notes += [f"{side.name} #{repetition}: {note}" for note in running.notes]
    return measured


def with_baseline(part: Part, side: Side | None) -> Part:
    """The part with `side` (another commit of reportflow) right after reportflow, when it has one."""
    if side is None or REPORTFLOW not in part.sides:
        return part
    others = tuple(other for other in part.sides if other is not REPORTFLOW)
    return dataclasses.replace(part, sides=(REPORTFLOW, side, *others))


def _rows(parts: list[Part], values: Values) -> list[Row]:
    rows = []
    for part in parts:
        for reference in part.sides[1:]:
            for metric, higher in part.higher_is_better.items():
                rows.append(
                    Row(
                        part=part.name,
                        metric=metric,
                        higher_is_better=higher,
                        reportflow=tuple(values[part.name, REPORTFLOW.name, metric]),
                        reference=reference.name,
                        reference_values=tuple(values[part.name, reference.name, metric]),
                    )
                )
    return rows


def _document(
    table: str,
    parts: list[str],
    options: Options,
    repetitions: int,
    profile_mb: int,
    load_before: tuple[float, float, float],
    elapsed: float,
    base: Baseline | None,
) -> str:
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results").stdout.strip()
    commit = git("rev-parse", "--short", "HEAD").stdout.strip() + (" (with uncommitted changes)" if changed else "")
    before, after = (" ".join(f"{x:.2f}" for x in averages) for averages in (load_before, os.getloadavg()))
    against = f"; against commit {base.commit} (`--baseline`), alternating" if base else ""
    return f"""# make bench

- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {commit}{against}; {os.cpu_count()} cores
- load average (1, 5, 15 min): {before} before, {after} after
- parts: {", ".join(parts)}; {repetitions} alternating repetitions; took {elapsed / 60:.1f} min
- submit {options.duration:g} s at 16 connections; latency-post {options.latency_seconds:g} s at 1 connection;
  drain {options.jobs} jobs; e2e-latency {options.e2e_jobs} jobs; profile {profile_mb} MB
- ratio = reportflow's median / the reference's median (↑: higher is better, ↓: lower is better)
- other work on the machine moves absolute figures far more than ratios; a 1-minute load
  average above the core count means the machine was shared

{table}
"""


def _arguments() -> tuple[Options, list[str], int, int, int, Path, str]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--parts",
        default=",".join(DEFAULT_PARTS),
        help=f"comma-separated, from {','.join(ALL_PARTS)} (default: all but fan-out)",
    )
    parser.add_argument("--repetitions", type=int, default=3, help="alternating repetitions (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per submit run (default 10)")
    parser.add_argument("--latency-seconds", type=int, default=5, help="seconds per latency-post run (default 5)")
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per drain run (default 1000)")
    parser.add_argument("--e2e-jobs", type=int, default=50, help="jobs per e2e-latency run (default 50)")
    parser.add_argument("--profile-mb", type=int, default=92, help="CSV size of the profile part (default 92: 1M rows)")
    parser.add_argument("--fan-out-mb", type=int, default=1000, help="CSV size of the fan-out part (default 1000)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    parser.add_argument(
        "--baseline",
        default="",
        metavar="COMMIT",
        help="also run reportflow at COMMIT (from a git worktree), alternating: a change's before and after",
    )
    args = parser.parse_args()
    parts = [name.strip() for name in args.parts.split(",") if name.strip()]
    unknown = sorted(set(parts) - set(ALL_PARTS))
    if unknown:
        parser.error(f"unknown parts {unknown}; choose from {ALL_PARTS}")
    options = Options(
        duration=args.duration, latency_seconds=args.latency_seconds, jobs=args.jobs, e2e_jobs=args.e2e_jobs
    )
    return options, parts, args.repetitions, args.profile_mb, args.fan_out_mb, args.output.resolve(), args.baseline


if __name__ == "__main__":
    main()
