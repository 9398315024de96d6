"""Run one attempt of a report job: profile the file in one pass, or split it into chunk jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application import actors
from application.attempts import AttemptOutcome, AttemptRunner, Outcome, RunAttempt, schedule_next_attempt
from application.report_output import CHUNK_JOB_KIND, ReportProcessing, report_of, store_output
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork
from domain.report import ReportOutput

ProcessReport = RunAttempt


@dataclass(frozen=True, slots=True)
class _Split:
    chunks: list[dict[str, Any]]


class ProcessReportHandler:
    def __init__(
        self, *, runner: AttemptRunner, blobs: BlobStore, engine: ReportEngine, processing: ReportProcessing
    ) -> None:
        self._runner = runner
        self._blobs = blobs
        self._engine = engine
        self._processing = processing

    def __call__(self, cmd: RunAttempt) -> AttemptOutcome:
        claimed = self._runner.claim(cmd)
        if isinstance(claimed, AttemptOutcome):
            return claimed
        with self._runner.uow as uow:
            report = report_of(uow, claimed)
        if report is None:
            return AttemptOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)

        def work(checkpoint: Checkpoint) -> ReportOutput | _Split:
            with self._blobs.local_path(report.blob_key) as path:
                if report.size_bytes > self._processing.fan_out_bytes:
                    chunks = self._engine.plan_chunks(path, target_bytes=self._processing.chunk_bytes)
                    if len(chunks) > 1:
                        return _Split(chunks)
                result = self._engine.analyze_path(path, schema=report.declared_schema, checkpoint=checkpoint)
            return store_output(self._blobs, self._engine, report, result)

        attempt = self._runner.work(cmd, work)

        def on_success(uow: UnitOfWork, job: Job, now: datetime) -> list[int]:
            done = attempt.value
            if isinstance(done, _Split):
                return self._split(uow, job, done.chunks, now=now)
            fresh = uow.reports.get_by_job(job.id)
            if fresh is None or done is None:
                raise RuntimeError(f"job {job.id} finished without its report or a result")
            fresh.complete(done, now=now)
            uow.reports.save(fresh)
            job.succeed(now=now, actor=actors.worker(cmd.worker))
            return []

        return self._runner.finish(cmd, attempt, on_success)

    def _split(self, uow: UnitOfWork, job: Job, chunks: list[dict[str, Any]], *, now: datetime) -> list[int]:
        """Fan out: one child job per chunk, each retried on its own; the last one starts the merge."""
        job.fan_out(len(chunks), now=now, actor=actors.worker(job.worker))
        entries = []
        for index, chunk in enumerate(chunks):
            child = Job.create(
                id=uuid.uuid4(),
                kind=CHUNK_JOB_KIND,
                owner_id=job.owner_id,
                queue=job.queue,
                max_attempts=self._runner.engine.max_attempts_for(CHUNK_JOB_KIND),
                now=now,
                actor=actors.SYSTEM,
                parent_id=job.id,
                # the parent's attempt: after a replay, chunks of an earlier plan no longer count
                payload={"index": index, "chunk": chunk, "parent_attempt": job.attempts},
            )
            uow.jobs.add(child)
            entries.append(schedule_next_attempt(uow, child, now=now))
        return [entry for entry in entries if entry is not None]
