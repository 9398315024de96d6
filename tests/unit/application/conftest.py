from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pytest

from adapters.memory import FixedClock, InMemoryBlobStore, InMemoryTaskQueue, InMemoryUnitOfWork
from application.process_report import ProcessReport, ProcessReportHandler
from application.read_models import SubmittedReport
from application.retry_policy import RetryPolicy
from application.submit_report import ReportIntake, SubmitReport, SubmitReportHandler
from domain.errors import JobError


class ScriptedAnalyzer:
    """An analyzer whose outcome a test decides: a result, or an error to raise."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []
        self.calls = 0

    def analyze(self, content: BinaryIO) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        lines = content.read().decode().splitlines()
        return {"summary": {"rows": len(lines) - 1, "columns": len(lines[0].split(","))}}


@dataclass
class World:
    uow: InMemoryUnitOfWork = field(default_factory=InMemoryUnitOfWork)
    blobs: InMemoryBlobStore = field(default_factory=InMemoryBlobStore)
    queue: InMemoryTaskQueue = field(default_factory=InMemoryTaskQueue)
    clock: FixedClock = field(default_factory=FixedClock)
    analyzer: ScriptedAnalyzer = field(default_factory=ScriptedAnalyzer)
    intake: ReportIntake = field(default_factory=lambda: ReportIntake(max_upload_bytes=1000, max_attempts=3))
    policy: RetryPolicy = field(default_factory=lambda: RetryPolicy(base_seconds=2, cap_seconds=60, jitter=0))

    def submit(self, content: bytes = b"a,b\n1,2\n3,4\n", owner_id: int = 1) -> SubmittedReport:
        handler = SubmitReportHandler(
            uow=self.uow, blobs=self.blobs, queue=self.queue, clock=self.clock, intake=self.intake
        )
        return handler(
            SubmitReport(owner_id=owner_id, filename="data.csv", size_bytes=len(content), content=io.BytesIO(content))
        )

    def process(self, job_id: Any, attempt: int, worker: str = "w1") -> Any:
        handler = ProcessReportHandler(
            uow=self.uow,
            blobs=self.blobs,
            analyzer=self.analyzer,
            queue=self.queue,
            clock=self.clock,
            retry_policy=self.policy,
        )
        return handler(ProcessReport(job_id=job_id, attempt=attempt, worker=worker))

    def fail_next(self, *errors: JobError | Exception) -> None:
        self.analyzer.errors.extend(errors)


@pytest.fixture
def world() -> World:
    return World()
