"""A merge job's attempt: fold the chunks' partial profiles into the report's result. The
result and the report job's success commit together (the fan-in ends the parent)."""

from __future__ import annotations

from dataclasses import dataclass

from application.jobs.fan_in import of_current_plan
from application.jobs.registry import Recording
from application.reports.kinds import CHUNK_JOB_KIND
from application.reports.output import report_of, store_output
from domain.errors import JobInputMissing
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork
from domain.profile import PartialProfile
from domain.report import Report, ReportOutput


@dataclass(frozen=True, slots=True)
class MergeInput:
    report: Report
    partials: list[PartialProfile]


class MergeReportHandler:
    def __init__(self, *, blobs: BlobStore, engine: ReportEngine) -> None:
        self._blobs = blobs
        self._engine = engine

    def load(self, uow: UnitOfWork, job: Job) -> MergeInput:
        report = report_of(uow, job)
        parent = uow.jobs.get(job.parent_id) if job.parent_id else None
        if parent is None:
            raise JobInputMissing(f"merge job {job.id} has no parent job")
        outputs = uow.jobs.children_outputs(parent.id, kind=CHUNK_JOB_KIND)
        chunks = sorted(
            (c for c in uow.jobs.children(parent.id) if c.kind == CHUNK_JOB_KIND and of_current_plan(c, parent)),
            key=lambda c: int(c.payload["index"]),
        )
        return MergeInput(
            report=report, partials=[PartialProfile(data=outputs[c.id]) for c in chunks if c.id in outputs]
        )

    def runs_briefly(self, job: Job, merge: MergeInput) -> bool:
        return False  # it reads and merges every chunk's partial profile

    def work(self, job: Job, loaded: MergeInput, checkpoint: Checkpoint) -> ReportOutput:
        result = self._engine.merge(loaded.partials, file_bytes=loaded.report.size_bytes, checkpoint=checkpoint)
        return store_output(self._blobs, self._engine, loaded.report, result, checkpoint)

    def record(self, recording: Recording, job: Job, loaded: MergeInput, done: ReportOutput) -> None:
        parent = recording.uow.jobs.get(job.parent_id, for_update=True) if job.parent_id else None
        if parent is not None and of_current_plan(job, parent):
            loaded.report.complete(done, now=recording.now)
            recording.uow.reports.save(loaded.report)
        job.succeed(now=recording.now, actor=recording.actor)
