"""Accept an upload: store the file, persist report + job + event + outbox entry in one
transaction, ring the broker after commit. Honours an Idempotency-Key when one is given."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field

from application import actors
from application.errors import (
    BacklogFull,
    EmptyUpload,
    PriorityNotAllowed,
    StorageQuotaExceeded,
    TooManyQueued,
    UploadTooLarge,
)
from application.jobs.metrics import JobMetrics, NoJobMetrics
from application.jobs.read_models import JobView
from application.jobs.registry import PRIORITIES
from application.jobs.settings import JobSettings
from application.jobs.transition import JobTransitions
from application.reports.kinds import REPORT_JOB_KIND
from application.reports.quotas import NoUsage, SubmissionQuotas, SubmissionUsage, admit_submission
from application.reports.read_models import SubmittedReport
from domain.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from domain.ports import BlobStore, Clock, IdempotencyRecord, ReportEngine, UnitOfWork
from domain.ports.idempotency import IdempotencyKeyHeld
from domain.profile import DeclaredSchema
from domain.report import Report


class IdempotencyKey(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1, max_length=255)
    fingerprint: str = Field(min_length=1, max_length=128)  # of the request: same key + other request = reuse


class SubmitReport(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    owner_id: int
    filename: str = Field(min_length=1, max_length=255)
    name: str = Field(default="", max_length=255)
    content_type: str = Field(default="", max_length=255)
    size_bytes: int = Field(ge=0)
    content: Any  # a readable binary stream; Any because pydantic cannot check BinaryIO
    declared_schema: dict[str, Any] | None = None
    idempotency: IdempotencyKey | None = None
    priority: Literal["normal", "high"] = "normal"
    may_prioritize: bool = False  # whether this user may ask for high priority


class ReportIntake(BaseModel):
    """Configuration of report submission."""

    model_config = ConfigDict(frozen=True)

    max_upload_bytes: int = Field(gt=0)


class SubmitReportHandler:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        blobs: BlobStore,
        transitions: JobTransitions,
        clock: Clock,
        intake: ReportIntake,
        settings: JobSettings,
        report_engine: ReportEngine,
        metrics: JobMetrics | None = None,
        quotas: SubmissionQuotas | None = None,
        usage: SubmissionUsage | None = None,
    ) -> None:
        self._uow = uow
        self._blobs = blobs
        self._report_engine = report_engine
        self._transitions = transitions
        self._clock = clock
        self._intake = intake
        self._settings = settings
        self._metrics = metrics or NoJobMetrics()
        self._quotas = quotas or SubmissionQuotas()
        self._usage = usage or NoUsage()

    def __call__(self, cmd: SubmitReport) -> SubmittedReport:
        """Raises UploadTooLarge, EmptyUpload, PriorityNotAllowed or InvalidSchema, and BacklogFull,
        TooManyQueued or StorageQuotaExceeded (nothing is stored then); for a reused
        Idempotency-Key IdempotencyKeyReused or IdempotencyKeyInFlight (a replay is not refused)."""
        if cmd.size_bytes > self._intake.max_upload_bytes:
            raise UploadTooLarge(cmd.size_bytes, self._intake.max_upload_bytes)
        if cmd.size_bytes == 0:
            raise EmptyUpload()
        if cmd.priority != "normal" and not cmd.may_prioritize:
            raise PriorityNotAllowed(cmd.priority)
        if cmd.declared_schema is not None:
            self._report_engine.check_schema(DeclaredSchema(definition=cmd.declared_schema))
        try:
            admit_submission(self._quotas, self._usage, owner_id=cmd.owner_id, size_bytes=cmd.size_bytes)
        except (BacklogFull, TooManyQueued, StorageQuotaExceeded):
            if cmd.idempotency is not None:  # a replay is answered even when a new request would be refused
                earlier = self._earlier_answer(cmd.owner_id, cmd.idempotency)
                if earlier is not None:
                    return earlier
            raise
        return self._submit(cmd)

    def _submit(self, cmd: SubmitReport) -> SubmittedReport:
        content: BinaryIO = cmd.content
        now = self._clock.now()
        # a folder a day: uploads share folders (see BlobStore.save), and none grows without end
        blob = self._blobs.save(name_hint=cmd.filename, content=content, prefix=f"uploads/{now:%Y/%m/%d}")
        report_id = uuid.uuid4()
        kinds, priority = self._transitions.kinds, PRIORITIES[cmd.priority]
        job = kinds.create(
            REPORT_JOB_KIND,
            owner_id=cmd.owner_id,
            now=now,
            actor=actors.user(cmd.owner_id),
            queue=kinds.route(REPORT_JOB_KIND, size_bytes=blob.size_bytes, priority=priority),
            payload={"report_id": str(report_id)},
            priority=priority,
        )
        report = Report(
            id=report_id,
            owner_id=cmd.owner_id,
            job_id=job.id,
            name=cmd.name or cmd.filename,
            filename=cmd.filename,
            blob_key=blob.key,
            size_bytes=blob.size_bytes,
            content_type=cmd.content_type,
            created_at=now,
            declared_schema=None if cmd.declared_schema is None else DeclaredSchema(definition=cmd.declared_schema),
        )
        submitted = SubmittedReport(report_id=report.id, job=JobView.of(job, internals=False))
        recorded: list[bool] = []  # once the insert committed, the upload is the job's to keep
        try:
            with self._uow as uow:
                transition = self._transitions.begin(uow, now=now, actor=actors.user(cmd.owner_id))
                transition.add(job)
                uow.reports.add(report)
                if cmd.idempotency is not None:
                    # in the insert transaction, with its answer, checked as it commits (no round
                    # trip of its own): a key held by another request fails the transaction, and
                    # a concurrent duplicate waits on the key's row, then fails and replays it
                    self._claim_key(uow, cmd.owner_id, cmd.idempotency, answer=submitted)
                # kept even when the commit's later wait for the disk fails (below)
                uow.after_commit(lambda: recorded.append(True))
                uow.after_commit(partial(self._metrics.job_submitted, kind=job.kind, queue=job.queue))
                # the job's doorbell rings before the commit's wait for the disk; the answer
                # still waits for it (Transition.commit), and fails if that wait fails
                transition.commit(disk_after_doorbell=True)
                recorded.append(True)
        except IdempotencyKeyHeld:
            assert cmd.idempotency is not None  # only a claim raises it
            earlier = self._earlier_answer(cmd.owner_id, cmd.idempotency)
            if earlier is None:  # its holder rolled back in the meantime: this one did too
                raise IdempotencyKeyInFlight(
                    f"a request with Idempotency-Key {cmd.idempotency.key!r} was in progress; try again"
                ) from None
            return earlier
        finally:
            if not recorded:
                self._blobs.delete(blob.key)
        return submitted

    def _claim_key(self, uow: UnitOfWork, owner_id: int, idem: IdempotencyKey, *, answer: SubmittedReport) -> None:
        uow.idempotency.claim_with_commit(
            owner_id, idem.key, **self._key_terms(idem), response=answer.model_dump(mode="json")
        )

    def _earlier_answer(self, owner_id: int, idem: IdempotencyKey) -> SubmittedReport | None:
        """The answer to an earlier request with this key, if one holds it; takes no key."""
        with self._uow as uow:  # not committed: the claim is only a look-up
            held = uow.idempotency.claim(owner_id, idem.key, **self._key_terms(idem))
        return None if held is None else self._earlier(held, idem)

    def _key_terms(self, idem: IdempotencyKey) -> dict[str, Any]:
        """A claim's fingerprint and times: from now until the key's time to live."""
        now = self._clock.now()
        expires_at = now + timedelta(seconds=self._settings.idempotency_key_ttl_seconds)
        return {"fingerprint": idem.fingerprint, "now": now, "expires_at": expires_at}

    @staticmethod
    def _earlier(held: IdempotencyRecord, idem: IdempotencyKey) -> SubmittedReport:
        if held.fingerprint != idem.fingerprint:
            raise IdempotencyKeyReused(f"Idempotency-Key {idem.key!r} was used for a different request")
        if held.response is None:
            raise IdempotencyKeyInFlight(f"a request with Idempotency-Key {idem.key!r} is still in progress")
        return SubmittedReport.model_validate(held.response)
