from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any, Literal

import pytest

from adapters.memory import FixedClock, InMemoryBlobStore, InMemoryHeartbeat, InMemoryTaskQueue, InMemoryUnitOfWork
from adapters.memory.job_metrics import InMemoryJobMetrics
from adapters.memory.notifications import FixedLinks, InMemoryHostResolver, RecordingMailer, RecordingWebhookSender
from adapters.memory.outbox import InMemoryPublishedMarks
from adapters.memory.taken_deliveries import InMemoryTakenDeliveries
from adapters.memory.usage import InMemorySubmissionUsage
from adapters.notifications.signer import StandardWebhooksSigner
from application.jobs.admission import Admission, ExecutionLimits, SameLimitsForAll
from application.jobs.commands import CancelJobHandler, JobCommand, ReplayJobHandler
from application.jobs.dispatch_waiting import DispatchReport, DispatchWaitingJobsHandler
from application.jobs.job_ended import ENGINE_LISTENERS
from application.jobs.outbox_dispatcher import OutboxDispatcher, RelayReport
from application.jobs.pipeline import AttemptOutcome, AttemptPipeline, RunAttempt
from application.jobs.read_models import JobView
from application.jobs.reconciler import ReconcileJobsHandler
from application.jobs.registry import JobKinds
from application.jobs.retry_policy import RetryPolicy
from application.jobs.settings import JobSettings
from application.jobs.transition import JobEndedListener, JobTransitions
from application.notifications.deliver_webhook import DeliverWebhookHandler
from application.notifications.destinations import DestinationCheck
from application.notifications.job_ended import CountFailedDeliveries, NotifyJobEnded
from application.notifications.kinds import (
    EMAIL_JOB_KIND,
    WEBHOOK_JOB_KIND,
    NotificationKindSettings,
    notification_job_kinds,
)
from application.notifications.send_email import SendEmailHandler
from application.notifications.settings import NotificationSettings
from application.reports.chunk import ProcessChunkHandler
from application.reports.kinds import (
    CHUNK_JOB_KIND,
    MERGE_JOB_KIND,
    REPORT_JOB_KIND,
    ReportKindSettings,
    report_job_kinds,
)
from application.reports.merge import MergeReportHandler
from application.reports.output import ReportProcessing
from application.reports.process import ProcessReportHandler
from application.reports.quotas import SubmissionQuotas
from application.reports.read_models import SubmittedReport
from application.reports.submit import IdempotencyKey, ReportIntake, SubmitReport, SubmitReportHandler
from application.schedules.fire import FireReport, FireSchedules, FireSchedulesHandler
from application.schedules.lease import ClaimSchedulerLease, ClaimSchedulerLeaseHandler, SchedulerLeaseState
from application.schedules.manage import CreateSchedule, CreateScheduleHandler
from application.schedules.read_models import ScheduleView
from application.schedules.settings import SchedulerSettings
from domain.errors import InvalidSchema, JobError
from domain.notifications.destination import AddressPolicy
from domain.ports import AtOnce, Background, Checkpoint, no_checkpoint
from domain.profile import ChunkPlan, DeclaredSchema, PartialProfile, ProfileResult


class ScriptedEngine:
    """A report engine whose outcome a test decides; it counts lines, chunks are line ranges."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []
        self.calls = 0
        self.during: Any = None  # called at the start of the work, to change the world meanwhile
        self.after_checkpoint: Any = None  # called after the work's checkpoint

    def warm_up(self) -> None:
        return None

    def check_schema(self, schema: DeclaredSchema) -> None:
        if "columns" not in schema.definition:
            raise InvalidSchema("a schema needs 'columns'")

    def analyze_path(
        self, path: str, *, schema: DeclaredSchema | None, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        lines = self._work(path, checkpoint)
        summary = {"rows": len(lines) - 1, "columns": len(lines[0].split(","))}
        return ProfileResult(document={"summary": summary, "schema": schema.definition if schema else None})

    def plan_chunks(self, path: str, *, target_bytes: int, checkpoint: Checkpoint = no_checkpoint) -> list[ChunkPlan]:
        rows = len(self._lines(path)) - 1
        per_chunk = max(1, target_bytes)  # here a "byte" of target is one row
        return [
            ChunkPlan(spec={"first": start, "rows": min(per_chunk, rows - start)})
            for start in range(0, rows, per_chunk)
        ]

    def profile_chunk(
        self,
        path: str,
        chunk: ChunkPlan,
        *,
        schema: DeclaredSchema | None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> PartialProfile:
        lines = self._work(path, checkpoint)
        return PartialProfile(
            data={"rows": chunk.spec["rows"], "columns": len(lines[0].split(",")), "first": chunk.spec["first"]}
        )

    def merge(
        self, partials: list[PartialProfile], *, file_bytes: int, checkpoint: Checkpoint = no_checkpoint
    ) -> ProfileResult:
        firsts = [p.data["first"] for p in partials]
        if firsts != sorted(firsts):
            raise ValueError("partials out of order")
        rows = sum(p.data["rows"] for p in partials)
        return ProfileResult(
            document={"summary": {"rows": rows, "columns": partials[0].data["columns"]}, "chunks": len(partials)}
        )

    def render_html(self, result: ProfileResult, *, checkpoint: Checkpoint = no_checkpoint) -> str:
        return f"<p>{result.document['summary']['rows']} rows</p>"

    def export_csv(self, result: ProfileResult, *, table: Literal["columns", "violations"]) -> str:
        return f"{table}\r\n{result.document['summary']['rows']}\r\n"

    def _work(self, path: str, checkpoint: Checkpoint) -> list[str]:
        self.calls += 1
        if self.during is not None:
            self.during()
        checkpoint(0.5)
        if self.after_checkpoint is not None:
            self.after_checkpoint()
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
    settings: JobSettings = field(
        default_factory=lambda: JobSettings(
            lease_seconds=30,
            redelivery_after_seconds=120,
            retry=RetryPolicy(base_seconds=2, cap_seconds=60, jitter=0),
        )
    )
    kind_settings: ReportKindSettings = field(default_factory=lambda: ReportKindSettings(max_attempts=3))
    limits: ExecutionLimits = field(default_factory=lambda: ExecutionLimits(dispatch_window=1000))
    stopping: str = ""  # a reason set here stops the worker: running attempts hand their jobs back
    listeners: list[JobEndedListener] = field(default_factory=list)  # job-ended listeners after the engine's
    time_limit_errors: tuple[type[BaseException], ...] = ()
    scheduler_settings: SchedulerSettings = field(default_factory=lambda: SchedulerSettings(lease_seconds=30))
    # notifications: names resolve to a public address unless a test says otherwise
    resolver: InMemoryHostResolver = field(
        default_factory=lambda: InMemoryHostResolver({"hooks.example.com": [ip_address("93.184.216.34")]})
    )
    address_policy: AddressPolicy = field(default_factory=AddressPolicy)
    sender: RecordingWebhookSender = field(default_factory=RecordingWebhookSender)
    mailer: RecordingMailer = field(default_factory=RecordingMailer)
    links: FixedLinks = field(default_factory=FixedLinks)
    notification_settings: NotificationSettings = field(
        default_factory=lambda: NotificationSettings(disable_after_failures=3, secret_grace_seconds=3600)
    )
    notification_kind_settings: NotificationKindSettings = field(
        default_factory=lambda: NotificationKindSettings(webhook_max_attempts=4, email_max_attempts=3)
    )
    metrics: InMemoryJobMetrics = field(default_factory=InMemoryJobMetrics)  # what submit counted
    quotas: SubmissionQuotas = field(default_factory=SubmissionQuotas)  # no limits unless a test sets some
    correlation: dict[str, str] = field(default_factory=dict)  # of the request or task "running now"
    background: Background = field(default_factory=AtOnce)  # where a claim's admissions are published
    taken: InMemoryTakenDeliveries = field(default_factory=InMemoryTakenDeliveries)  # what workers took, unended
    durable_marks: list[Any] = field(default_factory=list)  # when a publish's mark waited for the disk
    durable_mark_fails: Exception | None = None  # the database fails a durable mark

    @property
    def analyzer(self) -> ScriptedEngine:
        return self.report_engine

    def fresh_uow(self) -> InMemoryUnitOfWork:
        """Another unit of work on the same data, as each handler gets its own."""
        return InMemoryUnitOfWork(self.uow.state)

    @property
    def dispatcher(self) -> OutboxDispatcher:
        # outside a unit of work: on the committed state
        marks = InMemoryPublishedMarks(self.uow.state, durable_marks=self.durable_marks)
        marks.failing = self.durable_mark_fails
        return OutboxDispatcher(
            uow=self.fresh_uow(), marks=marks, queue=self.queue, clock=self.clock, background=self.background
        )

    @property
    def destination_check(self) -> DestinationCheck:
        return DestinationCheck(resolver=self.resolver, policy=self.address_policy)

    @property
    def kinds(self) -> JobKinds:
        handlers: dict[str, Any] = {
            REPORT_JOB_KIND: lambda: ProcessReportHandler(
                blobs=self.blobs, engine=self.report_engine, processing=self.processing
            ),
            CHUNK_JOB_KIND: lambda: ProcessChunkHandler(blobs=self.blobs, engine=self.report_engine),
            MERGE_JOB_KIND: lambda: MergeReportHandler(blobs=self.blobs, engine=self.report_engine),
            WEBHOOK_JOB_KIND: lambda: DeliverWebhookHandler(
                uow=self.fresh_uow(),
                check=self.destination_check,
                signer=StandardWebhooksSigner(),
                sender=self.sender,
                clock=self.clock,
                settings=self.notification_settings,
            ),
            EMAIL_JOB_KIND: lambda: SendEmailHandler(mailer=self.mailer, settings=self.notification_settings),
        }
        kinds = [*report_job_kinds(self.kind_settings), *notification_job_kinds(self.notification_kind_settings)]
        return JobKinds((kind, handlers[kind.name]) for kind in kinds)

    @property
    def transitions(self) -> JobTransitions:
        kinds = self.kinds
        admission = Admission(
            limits=SameLimitsForAll(self.limits),
            limited_kinds=kinds.names(owner_limits=True),
            unlimited_kinds=kinds.names(owner_limits=False),
        )
        notifications = [
            NotifyJobEnded(links=self.links),
            CountFailedDeliveries(settings=self.notification_settings),
        ]
        return JobTransitions(
            kinds=kinds,
            on_job_ended=[*ENGINE_LISTENERS, *notifications, *self.listeners],
            dispatcher=self.dispatcher,
            admission=admission,
            correlation=lambda: dict(self.correlation),
        )

    @property
    def pipeline(self) -> AttemptPipeline:
        heartbeat = InMemoryHeartbeat(self.fresh_uow(), self.clock)
        heartbeat.stopping = self.stopping
        return AttemptPipeline(
            uow=self.uow,
            heartbeat=heartbeat,
            transitions=self.transitions,
            clock=self.clock,
            settings=self.settings,
            time_limit_errors=self.time_limit_errors,
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
            transitions=self.transitions,
            clock=self.clock,
            intake=self.intake,
            settings=self.settings,
            report_engine=self.report_engine,
            metrics=self.metrics,
            quotas=self.quotas,
            usage=InMemorySubmissionUsage(self.uow.state, kinds=[REPORT_JOB_KIND]),
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

    def process(self, job_id: Any, attempt: int, worker: str = "w1", *, first_delivery: bool = False) -> AttemptOutcome:
        """Run the attempt through the pipeline, as the Celery tasks do, after the relay's
        admission pass (which runs every second: a retry that came due has been dispatched).
        Not as a first delivery unless asked: the tests of brief attempts ask for it."""
        self.dispatch_waiting()
        return self.pipeline(RunAttempt(job_id=job_id, attempt=attempt, worker=worker, first_delivery=first_delivery))

    def run_queue(self, limit: int = 100) -> list[AttemptOutcome]:
        """Deliver everything published so far, and what that publishes, like a worker."""
        outcomes = []
        for _ in range(limit):
            if not self.queue.deliveries:
                break
            delivery = self.queue.deliveries.pop(0)
            outcomes.append(self.process(delivery.job_id, delivery.attempt))
        return outcomes

    def relay(self) -> RelayReport:
        """The relay's schedule: admit what may start now, then publish what was never published
        (the report counts both)."""
        admitted = self.dispatch_waiting().dispatched
        relayed = self.dispatcher.relay()
        return RelayReport(published=admitted + relayed.published, failed=relayed.failed)

    def dispatch_waiting(self) -> DispatchReport:
        return DispatchWaitingJobsHandler(uow=self.uow, transitions=self.transitions, clock=self.clock)()

    def reconcile(self) -> Any:
        return ReconcileJobsHandler(
            uow=self.uow, transitions=self.transitions, clock=self.clock, settings=self.settings, taken=self.taken
        )()

    def cancel(self, job_id: Any, owner_id: int = 1) -> JobView:
        handler = CancelJobHandler(uow=self.uow, transitions=self.transitions, clock=self.clock)
        return handler(JobCommand(job_id=job_id, owner_id=owner_id))

    def replay(self, job_id: Any, owner_id: int = 1, is_staff: bool = False) -> JobView:
        handler = ReplayJobHandler(uow=self.uow, transitions=self.transitions, clock=self.clock)
        return handler(JobCommand(job_id=job_id, owner_id=owner_id, is_staff=is_staff))

    def job(self, job_id: Any) -> Any:
        return self.uow.state.jobs[job_id]

    def result_of(self, report_id: Any) -> dict[str, Any] | None:
        output = self.uow.state.reports[report_id].output
        return json.loads(self.document(report_id, "result.json")) if output else None

    def document(self, report_id: Any, name: str) -> bytes:
        part = self.uow.state.reports[report_id].output.documents[name]
        return self.blobs.open(part.key, offset=part.offset, length=part.length).read()

    def create_schedule(self, report_id: Any, cron: str, timezone: str = "UTC", owner_id: int = 1) -> ScheduleView:
        handler = CreateScheduleHandler(uow=self.fresh_uow(), clock=self.clock)
        return handler(CreateSchedule(owner_id=owner_id, report_id=report_id, cron=cron, timezone=timezone))

    def claim_lease(self, holder: str = "beat-1") -> SchedulerLeaseState:
        handler = ClaimSchedulerLeaseHandler(uow=self.fresh_uow(), clock=self.clock, settings=self.scheduler_settings)
        return handler(ClaimSchedulerLease(holder=holder))

    def fire(self, scheduler: str = "beat-1") -> FireReport:
        """A firing sent by `scheduler`, as the schedules.fire task runs it."""
        handler = FireSchedulesHandler(
            uow=self.fresh_uow(),
            transitions=self.transitions,
            blobs=self.blobs,
            clock=self.clock,
            schedule_clock=self.clock,
            settings=self.scheduler_settings,
        )
        return handler(FireSchedules(scheduler=scheduler))

    def fail_next(self, *errors: JobError | Exception) -> None:
        self.report_engine.errors.extend(errors)


@pytest.fixture
def world() -> World:
    return World()
