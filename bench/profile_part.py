"""The `profile` part of `make bench`: the report engine against the plain polars profile
(one `select` of null_count/min/max/n_unique/mean/std per column plus `value_counts` top 5),
on a generated 10-column CSV, each run in a fresh process; bench/report_engine.py does the
measuring and checks that the exact statistics are identical to polars'."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.table import Row

if TYPE_CHECKING:
    from bench.stacks import Side

MB = 1_000_000
ROWS_PER_MB = 1_000_000 / 92  # the generator writes about 92 bytes a row


def profile_rows(*, size_mb: int, repetitions: int, scratch: Path, baseline: Side | None = None) -> list[Row]:
    """Against the plain polars profile, and against the `baseline` side's engine when given."""
    from bench import report_engine as engine  # numpy and polars load only for this part

    root = baseline.root if baseline else None
    rows = int(size_mb * ROWS_PER_MB)
    size, ours, theirs, before = engine.measure(rows=rows, repetitions=repetitions, directory=scratch, baseline=root)
    part = f"profile ({size / MB:.0f} MB CSV, one process)"
    references = [("plain polars profile", theirs)] + ([(baseline.name, before)] if baseline else [])
    speed = [
        Row(
            part=part,
            metric="MB/s",
            higher_is_better=True,
            reportflow=tuple(size / MB / run.seconds for run in ours),
            reference=name,
            reference_values=tuple(size / MB / run.seconds for run in runs),
        )
        for name, runs in references
    ]
    memory = [
        Row(
            part=part,
            metric="peak RSS MiB",
            higher_is_better=False,
            reportflow=tuple(run.peak_rss / 2**20 for run in ours),
            reference=name,
            reference_values=tuple(run.peak_rss / 2**20 for run in runs),
        )
        for name, runs in references
    ]
    return speed + memory
