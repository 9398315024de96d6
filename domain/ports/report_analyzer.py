from __future__ import annotations

from typing import Any, BinaryIO, Protocol


class ReportAnalyzer(Protocol):
    """Computes the result of a report from its file.

    Raises InvalidReportFile (permanent) when the content cannot be read as a report.
    """

    def analyze(self, content: BinaryIO) -> dict[str, Any]: ...
