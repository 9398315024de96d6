"""ADAPTER: the `profile` part of `make bench`, the report engine against polars.

bench/report_engine.py belongs to the report engine's own work, which is replacing its
reference with the plain polars profile. This adapter is the one place to point at the
function that script will offer: `profile_rows` must return `bench.table.Row`s, one per metric,
with reportflow and the reference alternating over the repetitions. Until then it alternates
the script's existing children on one generated file: the single-pass profile, and the
script's two polars yardsticks (a row count and a parse of every field as text), neither of
which is the plain polars profile the issue asks for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.table import Row

MB = 1_000_000


def profile_rows(*, size_mb: int, repetitions: int, scratch: Path) -> list[Row]:
    from bench import report_engine as engine  # numpy and polars load only for this part

    path = scratch / f"profile-{size_mb}mb.csv"
    engine.generate(path, size_mb)
    megabytes = path.stat().st_size / MB
    children = {
        "reportflow": engine.PROFILE,
        "polars row count (the script's reference)": engine.REFERENCE,
        "polars parse of every field (the script's yardstick)": engine.PARSE,
    }
    runs: dict[str, list[Any]] = {name: [] for name in children}
    try:
        for _ in range(repetitions):
            for name, code in children.items():
                runs[name].append(engine.run_child(name, code, str(path)))
    finally:
        path.unlink()
    profile = runs.pop("reportflow")
    return [
        Row(
            part=f"profile ({megabytes:.0f} MB CSV)",
            metric=metric,
            higher_is_better=higher,
            reportflow=tuple(figure(run) for run in profile),
            reference=reference,
            reference_values=tuple(figure(run) for run in references),
        )
        for metric, higher, figure in (
            ("MB/s", True, lambda run: megabytes / run.seconds),
            ("peak RSS MiB", False, lambda run: run.peak_rss / 2**20),
        )
        for reference, references in runs.items()
    ]
