"""Run one attempt of a merge job: fold the chunks' partial profiles into the report's result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from application import actors
from application.attempts import AttemptOutcome, AttemptRunner, Outcome, RunAttempt, of_current_plan
from application.report_output import CHUNK_JOB_KIND, report_of, store_output
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork
from domain.report import ReportOutput


class MergeReportHandler:
    def __init__(self, *, runner: AttemptRunner, blobs: BlobStore, engine: ReportEngine) -> None:
        self._runner = runner
        self._blobs = blobs
        self._engine = engine

    def __call__(self, cmd: RunAttempt) -> AttemptOutcome:
        claimed = self._runner.claim(cmd)
        if isinstance(claimed, AttemptOutcome):
            return claimed
        parent_id = claimed.parent_id
        partials: list[dict[str, Any]] = []
        with self._runner.uow as uow:
            report = report_of(uow, claimed)
            parent = uow.jobs.get(parent_id) if parent_id else None
            if parent is not None:
                outputs = uow.jobs.children_outputs(parent.id, kind=CHUNK_JOB_KIND)
                chunks = sorted(
                    (
                        c
                        for c in uow.jobs.children(parent.id)
                        if c.kind == CHUNK_JOB_KIND and of_current_plan(c, parent)
                    ),
                    key=lambda c: int(c.payload["index"]),
                )
                partials = [outputs[c.id] for c in chunks if c.id in outputs]
        if report is None or parent_id is None:
            return AttemptOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)

        def work(checkpoint: Checkpoint) -> ReportOutput:
            checkpoint(0.0)
            result = self._engine.merge(partials, file_bytes=report.size_bytes)
            return store_output(self._blobs, self._engine, report, result)

        attempt = self._runner.work(cmd, work)

        def on_success(uow: UnitOfWork, job: Job, now: datetime) -> list[int]:
            parent = uow.jobs.get(parent_id, for_update=True)
            fresh = uow.reports.get_by_job(parent_id)
            if attempt.value is None or fresh is None or parent is None:
                raise RuntimeError(f"merge job {job.id} finished without its parent, report or result")
            job.succeed(now=now, actor=actors.worker(cmd.worker))
            if of_current_plan(job, parent):  # the result and the parent's success commit together
                fresh.complete(attempt.value, now=now)
                uow.reports.save(fresh)
                parent.succeed(now=now, actor=actors.worker(cmd.worker))
                uow.jobs.save(parent)
            return []

        return self._runner.finish(cmd, attempt, on_success)
