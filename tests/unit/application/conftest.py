from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from adapters.memory import FixedClock, InMemoryBlobStore, InMemoryHeartbeat, InMemoryTaskQueue, InMemoryUnitOfWork
from application.attempts import AttemptOutcome, AttemptRunner, RunAttempt
from application.engine_settings import JobEngineSettings
from application.job_commands import CancelJobHandler, JobCommand, ReplayJobHandler
from application.merge_report import MergeReportHandler
from application.outbox_dispatcher import OutboxDispatcher
from application.process_chunk import ProcessChunkHandler
from application.process_report import ProcessReportHandler
from application.read_models import JobView, SubmittedReport
from application.reconcile_jobs import ReconcileJobsHandler
from application.report_output import ReportProcessing
from application.retry_policy import RetryPolicy
from application.submit_report import IdempotencyKey, ReportIntake, SubmitReport, SubmitReportHandler
from domain.errors import InvalidSchema, JobError
from domain.ports import Checkpoint, no_checkpoint


class ScriptedEngine:
    """A report engine whose outcome a test decides; it counts lines, chunks are line ranges."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []
        self.calls = 0
        self.during: Any = None  # called at the start of the work, to change the world meanwhile

    def check_schema(self, schema: dict[str, Any]) -> None:
        if "columns" not in schema:
            raise InvalidSchema("a schema needs 'columns'")

    def analyze_path(
        self, path: str, *, schema: dict[str, Any] | None, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]:
        lines = self._work(path, checkpoint)
        return {"summary": {"rows": len(lines) - 1, "columns": len(lines[0].split(","))}, "schema": schema}

    def plan_chunks(self, path: str, *, target_bytes: int) -> list[dict[str, Any]]:
        rows = len(self._lines(path)) - 1
        per_chunk = max(1, target_bytes)  # here a "byte" of target is one row
        return [{"first": start, "rows": min(per_chunk, rows - start)} for start in range(0, rows, per_chunk)]

    def profile_chunk(
        self, path: str, chunk: dict[str, Any], *, schema: dict[str, Any] | None, checkpoint: Checkpoint = no_checkpoint
    ) -> dict[str, Any]:
        lines = self._work(path, checkpoint)
        return {"rows": chunk["rows"], "columns": len(lines[0].split(",")), "first": chunk["first"]}

    def merge(self, partials: list[dict[str, Any]], *, file_bytes: int) -> dict[str, Any]:
        firsts = [p["first"] for p in partials]
        if firsts != sorted(firsts):
            raise ValueError("partials out of order")
        rows = sum(p["rows"] for p in partials)
        return {"summary": {"rows": rows, "columns": partials[0]["columns"]}, "chunks": len(partials)}

    def render_html(self, result: dict[str, Any]) -> str:
        return f"<p>{result['summary']['rows']} rows</p>"

    def export_csv(self, result: dict[str, Any], *, table: str) -> str:
        return f"{table}\r\n{result['summary']['rows']}\r\n"

    def _work(self, path: str, checkpoint: Checkpoint) -> list[str]:
        self.calls += 1
        if self.during is not None:
            self.during()
        checkpoint(0.5)
        if self.errors:
            raise self.errors.pop(0)
        return self._lines(path)

    @staticmethod
    def _lines(path: str) -> list[str]:
        with open(path) as handle:
            return handle.read().splitlines()


@dataclass
class World:
    """The application wired to in-memory adapters, as the container wires it to real ones."""

    uow: InMemoryUnitOfWork = field(default_factory=InMemoryUnitOfWork)
    blobs: InMemoryBlobStore = field(default_factory=InMemoryBlobStore)
    queue: InMemoryTaskQueue = field(default_factory=InMemoryTaskQueue)
    clock: FixedClock = field(default_factory=FixedClock)
    report_engine: ScriptedEngine = field(default_factory=ScriptedEngine)
    intake: ReportIntake = field(default_factory=lambda: ReportIntake(max_upload_bytes=1000))
    processing: ReportProcessing = field(default_factory=lambda: ReportProcessing(fan_out_bytes=200, chunk_bytes=2))
    engine: JobEngineSettings = field(
        default_factory=lambda: JobEngineSettings(
            default_max_attempts=3,
            lease_seconds=30,
            redelivery_after_seconds=120,
            retry=RetryPolicy(base_seconds=2, cap_seconds=60, jitter=0),
        )
    )

    @property
    def analyzer(self) -> ScriptedEngine:
        return self.report_engine

    def fresh_uow(self) -> InMemoryUnitOfWork:
        """Another unit of work on the same data, as each handler gets its own."""
        return InMemoryUnitOfWork(self.uow.state)

    @property
    def dispatcher(self) -> OutboxDispatcher:
        return OutboxDispatcher(uow=self.fresh_uow(), queue=self.queue, clock=self.clock)

    @property
    def runner(self) -> AttemptRunner:
        return AttemptRunner(
            uow=self.uow,
            heartbeat=InMemoryHeartbeat(self.fresh_uow(), self.clock),
            dispatcher=self.dispatcher,
            clock=self.clock,
            engine=self.engine,
        )

    def submit(
        self,
        content: bytes = b"a,b\n1,2\n3,4\n",
        owner_id: int = 1,
        idempotency: IdempotencyKey | None = None,
        schema: dict[str, Any] | None = None,
    ) -> SubmittedReport:
        handler = SubmitReportHandler(
            uow=self.uow,
            blobs=self.blobs,
            dispatcher=self.dispatcher,
            clock=self.clock,
            intake=self.intake,
            engine=self.engine,
            report_engine=self.report_engine,
        )
        return handler(
            SubmitReport(
                owner_id=owner_id,
                filename="data.csv",
                size_bytes=len(content),
                content=io.BytesIO(content),
                declared_schema=schema,
                idempotency=idempotency,
            )
        )

    def process(self, job_id: Any, attempt: int, worker: str = "w1") -> AttemptOutcome:
        """Run the attempt with the handler of the job's kind, as the Celery tasks do."""
        cmd = RunAttempt(job_id=job_id, attempt=attempt, worker=worker)
        job = self.uow.state.jobs.get(job_id)
        kind = job.kind if job else "report.process"
        if kind == "report.chunk":
            return ProcessChunkHandler(runner=self.runner, blobs=self.blobs, engine=self.report_engine)(cmd)
        if kind == "report.merge":
            return MergeReportHandler(runner=self.runner, blobs=self.blobs, engine=self.report_engine)(cmd)
        return ProcessReportHandler(
            runner=self.runner, blobs=self.blobs, engine=self.report_engine, processing=self.processing
        )(cmd)

    def run_queue(self, limit: int = 100) -> list[AttemptOutcome]:
        """Deliver everything published so far, and what that publishes, like a worker."""
        outcomes = []
        for _ in range(limit):
            if not self.queue.deliveries:
                break
            delivery = self.queue.deliveries.pop(0)
            outcomes.append(self.process(delivery.job_id, delivery.attempt))
        return outcomes

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

    def result_of(self, report_id: Any) -> dict[str, Any] | None:
        output = self.uow.state.reports[report_id].output
        return json.loads(self.blobs.blobs[output.documents["result.json"]]) if output else None

    def fail_next(self, *errors: JobError | Exception) -> None:
        self.report_engine.errors.extend(errors)


@pytest.fixture
def world() -> World:
    return World()
