"""A slice of a file as text columns, with the absolute line number of every row."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """Rows of the file: every column is a polars String; native nulls (JSON, Parquet, XLSX) are nulls.

    `lines` holds each row's line number in the file (CSV/TSV/JSONL), its sheet row (XLSX) or its
    1-based record number (Parquet). Ragged rows and blank lines are data-quality facts.
    `progress` is the share of the chunk read once this batch is done, when it is known.
    """

    frame: pl.DataFrame
    lines: npt.NDArray[np.int64]
    ragged_lines: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    blank_lines: int = 0
    progress: float | None = None  # the share of the chunk read so far, when known
    nulls_normalised: bool = False  # empty strings and the null tokens are nulls already
