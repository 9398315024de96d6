"""A report job's attempt: profile the file in one pass, or split it into chunk jobs."""

from __future__ import annotations

from dataclasses import dataclass

from application.jobs.registry import Recording
from application.reports.kinds import CHUNK_JOB_KIND
from application.reports.output import ReportProcessing, report_of, store_output
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork
from domain.profile import ChunkPlan
from domain.report import Report, ReportOutput


@dataclass(frozen=True, slots=True)
class Split:
    chunks: list[ChunkPlan]


class ProcessReportHandler:
    def __init__(self, *, blobs: BlobStore, engine: ReportEngine, processing: ReportProcessing) -> None:
        self._blobs = blobs
        self._engine = engine
        self._processing = processing

    def load(self, uow: UnitOfWork, job: Job) -> Report:
        return report_of(uow, job)

    def runs_briefly(self, job: Job, report: Report) -> bool:
        """A small report: its profile and documents take milliseconds."""
        return report.size_bytes <= min(self._processing.brief_bytes, self._processing.fan_out_bytes)

    def work(self, job: Job, report: Report, checkpoint: Checkpoint) -> ReportOutput | Split:
        with self._blobs.local_path(report.blob_key) as path:
            if report.size_bytes > self._processing.fan_out_bytes:
                chunks = self._engine.plan_chunks(
                    path, target_bytes=self._processing.chunk_bytes, checkpoint=checkpoint
                )
                if len(chunks) > 1:
                    return Split(chunks)
            result = self._engine.analyze_path(path, schema=report.declared_schema, checkpoint=checkpoint)
        return store_output(self._blobs, self._engine, report, result, checkpoint)

    def record(self, recording: Recording, job: Job, report: Report, done: ReportOutput | Split) -> None:
        if isinstance(done, Split):
            # fan out: one child job per chunk, each retried on its own; the last one starts the merge
            job.fan_out(len(done.chunks), now=recording.now, actor=recording.actor)
            for index, chunk in enumerate(done.chunks):
                recording.new_job(CHUNK_JOB_KIND, parent=job, payload={"index": index, "chunk": chunk.spec})
            return
        report.complete(done, now=recording.now)
        recording.uow.reports.save(report)
        job.succeed(now=recording.now, actor=recording.actor)
