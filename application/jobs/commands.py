"""What a user can ask of a job: cancel it, or replay it after it failed or died."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from application import actors
from application.errors import NotFound
from application.jobs.read_models import JobView
from application.jobs.transition import JobTransitions
from domain.job import Job
from domain.job_status import JobStatus
from domain.ports import Clock, UnitOfWork


class JobCommand(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: UUID
    owner_id: int
    is_staff: bool = False  # staff act on every owner's jobs (dead-letter handling) and see internals


def _load_for_update(uow: UnitOfWork, cmd: JobCommand) -> Job:
    job = uow.jobs.get(cmd.job_id, for_update=True)
    if job is None or (job.owner_id != cmd.owner_id and not cmd.is_staff):
        raise NotFound("job", cmd.job_id)
    return job


class CancelJobHandler:
    def __init__(self, *, uow: UnitOfWork, transitions: JobTransitions, clock: Clock) -> None:
        self._uow = uow
        self._transitions = transitions
        self._clock = clock

    def __call__(self, cmd: JobCommand) -> JobView:
        """Cancels a waiting job at once (and the children of a fanned-out one); asks a running
        one to stop at its next checkpoint.

        Raises NotFound, or InvalidTransition for a job that has already ended.
        """
        with self._uow as uow:
            job = _load_for_update(uow, cmd)
            transition = self._transitions.begin(uow, now=self._clock.now(), actor=actors.user(cmd.owner_id))
            job.request_cancel(now=transition.now, actor=transition.actor)
            transition.save(job)
            transition.commit()
        return JobView.of(job, internals=cmd.is_staff)


class ReplayJobHandler:
    def __init__(self, *, uow: UnitOfWork, transitions: JobTransitions, clock: Clock) -> None:
        self._uow = uow
        self._transitions = transitions
        self._clock = clock

    def __call__(self, cmd: JobCommand) -> JobView:
        """Puts a failed or dead job back in the queue with a fresh attempt budget (the kind's).

        Replaying a job that is already back in the queue or running changes nothing.
        Raises NotFound, or InvalidTransition for a succeeded or cancelled job.
        """
        with self._uow as uow:
            job = _load_for_update(uow, cmd)
            if job.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING):
                return JobView.of(job, internals=cmd.is_staff)
            transition = self._transitions.begin(uow, now=self._clock.now(), actor=actors.user(cmd.owner_id))
            budget = self._transitions.kinds.kind(job.kind).max_attempts
            job.replay(now=transition.now, actor=transition.actor, budget=budget)
            transition.schedule(job)
            transition.save(job)
            transition.commit()
        return JobView.of(job, internals=cmd.is_staff)
