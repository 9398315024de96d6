from __future__ import annotations

from typing import Any, BinaryIO, Protocol

from domain.ports.report_engine import Checkpoint, no_checkpoint

__all__ = ["Checkpoint", "ReportAnalyzer", "no_checkpoint"]


class ReportAnalyzer(Protocol):
    """Profiles a report from a stream in one pass (ReportEngine works on a local path).

    Raises InvalidReportFile (permanent) when the content cannot be read as a report.
    """

    def analyze(self, content: BinaryIO, *, checkpoint: Checkpoint = no_checkpoint) -> dict[str, Any]: ...
