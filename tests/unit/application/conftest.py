from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pytest

from adapters.memory import FixedClock, InMemoryBlobStore, InMemoryHeartbeat, InMemoryTaskQueue, InMemoryUnitOfWork
from application.engine_settings import JobEngineSettings
from application.job_commands import CancelJobHandler, JobCommand, ReplayJobHandler
from application.outbox_dispatcher import OutboxDispatcher
from application.process_report import ProcessReport, ProcessReportHandler
from application.read_models import JobView, SubmittedReport
from application.reconcile_jobs import ReconcileJobsHandler
from application.retry_policy import RetryPolicy
from application.submit_report import IdempotencyKey, ReportIntake, SubmitReport, SubmitReportHandler
from domain.errors import JobError
from domain.ports import Checkpoint


class ScriptedAnalyzer:
    """An analyzer whose outcome a test decides: a result, or an error to raise."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []
        self.calls = 0
        self.during: Any = None  # called at the first checkpoint, to change the world meanwhile

    def analyze(self, content: BinaryIO, *, checkpoint: Checkpoint) -> dict[str, Any]:
        self.calls += 1
        if self.during is not None:
            self.during()
        checkpoint(0.5)
        if self.errors:
            raise self.errors.pop(0)
        lines = content.read().decode().splitlines()
        return {"summary": {"rows": len(lines) - 1, "columns": len(lines[0].split(","))}}


@dataclass
class World:
    """The application wired to in-memory adapters, as the container wires it to real ones."""

    uow: InMemoryUnitOfWork = field(default_factory=InMemoryUnitOfWork)
    blobs: InMemoryBlobStore = field(default_factory=InMemoryBlobStore)
    queue: InMemoryTaskQueue = field(default_factory=InMemoryTaskQueue)
    clock: FixedClock = field(default_factory=FixedClock)
    analyzer: ScriptedAnalyzer = field(default_factory=ScriptedAnalyzer)
    intake: ReportIntake = field(default_factory=lambda: ReportIntake(max_upload_bytes=1000))
    engine: JobEngineSettings = field(
        default_factory=lambda: JobEngineSettings(
            default_max_attempts=3,
            lease_seconds=30,
            redelivery_after_seconds=120,
            retry=RetryPolicy(base_seconds=2, cap_seconds=60, jitter=0),
        )
    )

    def fresh_uow(self) -> InMemoryUnitOfWork:
        """Another unit of work on the same data, as each handler gets its own."""
        return InMemoryUnitOfWork(self.uow.state)

    @property
    def dispatcher(self) -> OutboxDispatcher:
        return OutboxDispatcher(uow=self.fresh_uow(), queue=self.queue, clock=self.clock)

    def submit(
        self, content: bytes = b"a,b\n1,2\n3,4\n", owner_id: int = 1, idempotency: IdempotencyKey | None = None
    ) -> SubmittedReport:
        handler = SubmitReportHandler(
            uow=self.uow,
            blobs=self.blobs,
            dispatcher=self.dispatcher,
            clock=self.clock,
            intake=self.intake,
            engine=self.engine,
        )
        return handler(
            SubmitReport(
                owner_id=owner_id,
                filename="data.csv",
                size_bytes=len(content),
                content=io.BytesIO(content),
                idempotency=idempotency,
            )
        )

    def process(self, job_id: Any, attempt: int, worker: str = "w1") -> Any:
        handler = ProcessReportHandler(
            uow=self.uow,
            blobs=self.blobs,
            analyzer=self.analyzer,
            heartbeat=InMemoryHeartbeat(self.fresh_uow(), self.clock),
            dispatcher=self.dispatcher,
            clock=self.clock,
            engine=self.engine,
        )
        return handler(ProcessReport(job_id=job_id, attempt=attempt, worker=worker))

    def relay(self) -> Any:
        return self.dispatcher.relay()

    def reconcile(self) -> Any:
        return ReconcileJobsHandler(uow=self.uow, dispatcher=self.dispatcher, clock=self.clock, engine=self.engine)()

    def cancel(self, job_id: Any, owner_id: int = 1) -> JobView:
        return CancelJobHandler(uow=self.uow, clock=self.clock)(JobCommand(job_id=job_id, owner_id=owner_id))

    def replay(self, job_id: Any, owner_id: int = 1, is_staff: bool = False) -> JobView:
        handler = ReplayJobHandler(uow=self.uow, dispatcher=self.dispatcher, clock=self.clock, engine=self.engine)
        return handler(JobCommand(job_id=job_id, owner_id=owner_id, is_staff=is_staff))

    def job(self, job_id: Any) -> Any:
        return self.uow.state.jobs[job_id]

    def fail_next(self, *errors: JobError | Exception) -> None:
        self.analyzer.errors.extend(errors)


@pytest.fixture
def world() -> World:
    return World()
