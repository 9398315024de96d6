"""A chunk job's attempt: profile one chunk of the report's file into a partial profile,
kept for the merge. Counting it toward its report is the fan-in's (application.jobs.fan_in)."""

from __future__ import annotations

from application.jobs.registry import Recording
from application.reports.output import report_of
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork
from domain.profile import ChunkPlan, PartialProfile
from domain.report import Report


class ProcessChunkHandler:
    def __init__(self, *, blobs: BlobStore, engine: ReportEngine) -> None:
        self._blobs = blobs
        self._engine = engine

    def load(self, uow: UnitOfWork, job: Job) -> Report:
        return report_of(uow, job)

    def runs_briefly(self, job: Job, report: Report) -> bool:
        return False  # a chunk is a share of a file too large to run briefly

    def work(self, job: Job, report: Report, checkpoint: Checkpoint) -> PartialProfile:
        chunk = ChunkPlan(spec=job.payload["chunk"])
        with self._blobs.local_path(report.blob_key) as path:
            return self._engine.profile_chunk(path, chunk, schema=report.declared_schema, checkpoint=checkpoint)

    def record(self, recording: Recording, job: Job, report: Report, done: PartialProfile) -> None:
        recording.uow.jobs.save_output(job.id, done.data)
        job.succeed(now=recording.now, actor=recording.actor)
