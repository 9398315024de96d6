"""Run one attempt of a chunk job; the last chunk to finish starts the merge, exactly once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from application import actors
from application.attempts import (
    AttemptOutcome,
    AttemptRunner,
    Outcome,
    RunAttempt,
    of_current_plan,
    schedule_next_attempt,
)
from application.report_output import MERGE_JOB_KIND, report_of
from domain.job import Job
from domain.ports import BlobStore, Checkpoint, ReportEngine, UnitOfWork


class ProcessChunkHandler:
    def __init__(self, *, runner: AttemptRunner, blobs: BlobStore, engine: ReportEngine) -> None:
        self._runner = runner
        self._blobs = blobs
        self._engine = engine

    def __call__(self, cmd: RunAttempt) -> AttemptOutcome:
        claimed = self._runner.claim(cmd)
        if isinstance(claimed, AttemptOutcome):
            return claimed
        with self._runner.uow as uow:
            report = report_of(uow, claimed)
        if report is None:
            return AttemptOutcome(outcome=Outcome.NOT_FOUND, job_id=cmd.job_id, attempt=cmd.attempt)

        def work(checkpoint: Checkpoint) -> dict[str, Any]:
            with self._blobs.local_path(report.blob_key) as path:
                return self._engine.profile_chunk(
                    path, claimed.payload["chunk"], schema=report.declared_schema, checkpoint=checkpoint
                )

        attempt = self._runner.work(cmd, work)

        def on_success(uow: UnitOfWork, job: Job, now: datetime) -> list[int]:
            if attempt.value is None:
                raise RuntimeError(f"chunk job {job.id} finished without a partial profile")
            uow.jobs.save_output(job.id, attempt.value)
            job.succeed(now=now, actor=actors.worker(cmd.worker))
            # The parent's row lock orders chunks finishing at the same moment: only the
            # one that counts the last child creates the merge job.
            parent = uow.jobs.get(job.parent_id, for_update=True) if job.parent_id else None
            if parent is None or not of_current_plan(job, parent):
                return []  # the parent ended or was replayed meanwhile: this chunk is not part of its plan
            entry = None
            if parent.child_succeeded(now=now):
                merge = Job.create(
                    id=uuid.uuid4(),
                    kind=MERGE_JOB_KIND,
                    owner_id=parent.owner_id,
                    queue=parent.queue,
                    max_attempts=self._runner.engine.max_attempts_for(MERGE_JOB_KIND),
                    now=now,
                    actor=actors.SYSTEM,
                    parent_id=parent.id,
                    payload={"parent_attempt": parent.attempts},
                )
                uow.jobs.add(merge)
                entry = schedule_next_attempt(uow, merge, now=now)
            uow.jobs.save(parent)
            return [entry] if entry is not None else []

        return self._runner.finish(cmd, attempt, on_success)
