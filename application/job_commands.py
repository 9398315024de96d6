"""What a user can ask of a job: cancel it, or replay it after it failed or died."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application import actors
from application.attempts import cancel_children, schedule_next_attempt
from application.engine_settings import JobEngineSettings
from application.errors import NotFound
from application.outbox_dispatcher import OutboxDispatcher
from application.read_models import JobView
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Clock, UnitOfWork


class JobCommand(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: UUID
    owner_id: int
    is_staff: bool = False  # staff act on every owner's jobs (dead-letter handling)


def _load_for_update(uow: UnitOfWork, cmd: JobCommand) -> Job:
    job = uow.jobs.get(cmd.job_id, for_update=True)
    if job is None or (job.owner_id != cmd.owner_id and not cmd.is_staff):
        raise NotFound("job", cmd.job_id)
    return job


class CancelJobHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: JobCommand) -> JobView:
        """Cancels a waiting job at once; asks a running one to stop at its next checkpoint.

        Raises NotFound, or InvalidTransition for a job that has already ended.
        """
        with self._uow as uow:
            job = _load_for_update(uow, cmd)
            fanned_out = job.is_fanned_out
            now = self._clock.now()
            job.request_cancel(now=now, actor=actors.user(cmd.owner_id))
            uow.jobs.save(job)
            if fanned_out:
                cancel_children(uow, job, now=now)
            uow.commit()
        return JobView.of(job)


class ReplayJobHandler:
    def __init__(
        self, *, uow: UnitOfWork, dispatcher: OutboxDispatcher, clock: Clock, engine: JobEngineSettings
    ) -> None:
        self._uow = uow
        self._dispatcher = dispatcher
        self._clock = clock
        self._engine = engine

    def __call__(self, cmd: JobCommand) -> JobView:
        """Puts a failed or dead job back in the queue with a fresh attempt budget.

        Replaying a job that is already back in the queue or running changes nothing.
        Raises NotFound, or InvalidTransition for a succeeded or cancelled job.
        """
        entry = None
        with self._uow as uow:
            job = _load_for_update(uow, cmd)
            if job.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING):
                return JobView.of(job)
            now = self._clock.now()
            job.replay(now=now, actor=actors.user(cmd.owner_id), budget=self._engine.max_attempts_for(job.kind))
            entry = schedule_next_attempt(uow, job, now=now)
            uow.jobs.save(job)
            if entry is not None:
                uow.after_commit(lambda: self._dispatcher.publish([entry]))
            uow.commit()
        return JobView.of(job)
