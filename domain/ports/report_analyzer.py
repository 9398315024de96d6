from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO, Protocol

# Called now and then with the fraction done (or None when unknown); it raises
# AttemptAborted when the work must stop, which the analyzer lets propagate.
Checkpoint = Callable[[float | None], None]


def no_checkpoint(progress: float | None = None) -> None:
    return None


class ReportAnalyzer(Protocol):
    """Computes the result of a report from its file.

    Raises InvalidReportFile (permanent) when the content cannot be read as a report.
    """

    def analyze(self, content: BinaryIO, *, checkpoint: Checkpoint = no_checkpoint) -> dict[str, Any]: ...
