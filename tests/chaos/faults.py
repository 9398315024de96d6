"""Report engines that inject faults, chosen by the workers through REPORT_ENGINE.

Workers import them as `tests.chaos.faults:<Class>` (the repository root is their working
directory). Each is configured by environment variables, read at every call:

- CHAOS_ANALYZE_SECONDS: how long an analysis takes; it sleeps in small steps and calls
  `checkpoint` between them, so leases, cancellation and hand-over work as in real work;
- CHAOS_FAULT_FLAG: a file; while it exists the flaky analyzer raises TransientError;
- CHAOS_EXECUTION_LOG: a file; every analysis that ran to its end appends one line
  "<job_id> <pid> <attempt>" to it (one short O_APPEND write, so processes do not mix lines);
- CHAOS_HOLD_MB, CHAOS_KEEP: how much memory the memory hog takes, and whether it keeps it.

The e2e tests of worker limits and stops use them too.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Literal

from adapters.analysis.report_engine import ProfilingReportEngine
from domain.errors import TransientError
from domain.ports import Checkpoint, no_checkpoint
from domain.profile import DeclaredSchema, ProfileResult

STEP_SECONDS = 0.05


def current_delivery() -> tuple[str, int]:
    """The job id and attempt of the task message being executed ("-", 0 outside a task)."""
    from celery import current_task  # only in the worker process

    kwargs = getattr(getattr(current_task, "request", None), "kwargs", None) or {}
    return str(kwargs.get("job_id", "-")), int(kwargs.get("attempt", 0))


def work(checkpoint: Checkpoint, *, default_seconds: float = 0.0) -> None:
    """Take CHAOS_ANALYZE_SECONDS, checking in at every step."""
    seconds = float(os.environ.get("CHAOS_ANALYZE_SECONDS", default_seconds))
    deadline = time.monotonic() + seconds
    checkpoint(0.0)
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(STEP_SECONDS, left))
        checkpoint(1 - max(deadline - time.monotonic(), 0) / seconds)


class SlowAnalyzer(ProfilingReportEngine):
    """Takes CHAOS_ANALYZE_SECONDS (default 1 s) to summarize a CSV."""

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        work(checkpoint, default_seconds=1.0)
        return super().analyze_path(path, schema=schema, checkpoint=checkpoint)


class CountingAnalyzer(ProfilingReportEngine):
    """Logs every analysis that ran to its end to CHAOS_EXECUTION_LOG; takes
    CHAOS_ANALYZE_SECONDS (default 0). The stored summary names the execution that produced it."""

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        work(checkpoint)
        result = super().analyze_path(path, schema=schema, checkpoint=checkpoint)
        job_id, attempt = current_delivery()
        with open(os.environ["CHAOS_EXECUTION_LOG"], "a", encoding="ascii") as log:
            log.write(f"{job_id} {os.getpid()} {attempt}\n")
        result.document["summary"]["execution"] = {"pid": os.getpid(), "attempt": attempt}
        return result

    # The documents are rendered from the result without the execution note (its schema is strict).
    def render_html(self, result: ProfileResult, *, checkpoint: Checkpoint = no_checkpoint) -> str:
        return super().render_html(_without_execution(result), checkpoint=checkpoint)

    def export_csv(self, result: ProfileResult, *, table: Literal["columns", "violations"]) -> str:
        return super().export_csv(_without_execution(result), table=table)


def _without_execution(result: ProfileResult) -> ProfileResult:
    summary = {key: value for key, value in result.summary.items() if key != "execution"}
    return ProfileResult(document={**result.document, "summary": summary})


class FlakyAnalyzer(ProfilingReportEngine):
    """Raises TransientError while the file CHAOS_FAULT_FLAG exists; succeeds once it is gone."""

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        work(checkpoint)
        flag = Path(os.environ["CHAOS_FAULT_FLAG"])
        if flag.exists():
            raise TransientError(f"injected fault: {flag} exists")
        return super().analyze_path(path, schema=schema, checkpoint=checkpoint)


class StubbornAnalyzer(ProfilingReportEngine):
    """Takes CHAOS_ANALYZE_SECONDS and swallows the soft time limit, so only the hard one ends it."""

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        from celery.exceptions import SoftTimeLimitExceeded  # only in the worker process

        deadline = time.monotonic() + float(os.environ.get("CHAOS_ANALYZE_SECONDS", "60"))
        while time.monotonic() < deadline:
            try:
                time.sleep(STEP_SECONDS)
            except SoftTimeLimitExceeded:
                continue
        return super().analyze_path(path, schema=schema, checkpoint=checkpoint)


_HELD: list[bytearray] = []


class MemoryHog(CountingAnalyzer):
    """Allocates CHAOS_HOLD_MB (touched, so it is resident) before the analysis, and keeps it
    for the life of the process when CHAOS_KEEP is set: a leak, as a worker would see it."""

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None = None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        block = bytearray(b"\x01") * (int(os.environ.get("CHAOS_HOLD_MB", "0")) * 1024 * 1024)
        if os.environ.get("CHAOS_KEEP"):
            _HELD.append(block)
        return super().analyze_path(path, schema=schema, checkpoint=checkpoint)
