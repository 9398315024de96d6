"""Random CSV files with hostile quoting are read exactly as Python's csv module reads them,
whole or in chunks, whatever the block size."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

import pytest

from adapters.analysis.profiling import ProfilingEngine

from .helpers import column

_PIECES = ["a", "b", ",", '"', "\n", "\r\n", " ", "é", "NA", "1", "-2.5", ""]


def _random_csv(seed: int) -> tuple[str, list[list[str]]]:
    rng = random.Random(seed)
    rows = [["".join(rng.choices(_PIECES, k=rng.randint(0, 4))) for _ in range(3)] for _ in range(rng.randint(1, 400))]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow(["x", "y", "z"])
    writer.writerows(rows)
    return buffer.getvalue(), rows


@pytest.mark.parametrize("seed", range(12))
def test_a_random_file_profiles_like_the_csv_module_reads_it(seed: int, tmp_path: Path) -> None:
    text, rows = _random_csv(seed)
    path = tmp_path / "random.csv"
    path.write_bytes(text.encode())
    engine = ProfilingEngine(block_bytes=random.Random(seed).choice([64, 512, 4096]))
    expected = {name: Counter(row[i] for row in rows if row[i] != "") for i, name in enumerate("xyz")}

    single = engine.analyze_path(str(path))
    chunks = engine.plan_chunks(str(path), target_bytes=700)
    merged = engine.merge([engine.profile_chunk(str(path), c) for c in chunks], file_bytes=path.stat().st_size)

    for result in (single, merged):
        assert result["summary"] == {"rows": len(rows), "columns": 3}
        assert result["data_quality"]["ragged_rows"] == 0
        for name in "xyz":
            profile = column(result, name)
            assert profile["count"] == sum(expected[name].values())
            assert profile["distinct"]["value"] == len(expected[name])
            assert {top["value"]: top["count"] for top in profile["top_values"]}.items() <= expected[name].items()
