"""Counting jobs for metrics: a port the metrics adapter implements, and the job-ended listener
that feeds it.

Metrics are best effort: the listener only registers a callback that runs once the ending
transaction has committed, so a rolled-back end is never counted, and nothing it does can
break the transaction it is called in.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from application.jobs.transition import Transition
from domain.job import Job
from domain.job_status import JobStatus


class JobMetrics(Protocol):
    def job_submitted(self, *, kind: str, queue: str) -> None:
        """A client's job was accepted (its transaction committed)."""

    def job_ended(
        self, *, kind: str, queue: str, status: str, run_seconds: float | None, queue_wait_seconds: float | None
    ) -> None:
        """A job reached a terminal status (its transaction committed)."""


class NoJobMetrics:
    """Counts nothing: for use cases wired without metrics."""

    def job_submitted(self, *, kind: str, queue: str) -> None:
        return None

    def job_ended(
        self, *, kind: str, queue: str, status: str, run_seconds: float | None, queue_wait_seconds: float | None
    ) -> None:
        return None


# ended by the attempt that last started (a cancel may end a job that waits for its next one)
_ENDED_BY_AN_ATTEMPT = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD})


class CountEndedJobs:
    """Job-ended listener: after commit, count the end by kind, queue and status, with the run
    time of the attempt that ended it (finished - started; succeeded, failed and dead jobs) and,
    for a job that started exactly one attempt, how long it waited before that attempt started
    (started - accepted). A retried job's later waits are not in its timestamps."""

    def __init__(self, metrics: JobMetrics) -> None:
        self._metrics = metrics

    def __call__(self, transition: Transition, job: Job, /) -> None:
        run_seconds = queue_wait_seconds = None
        if job.started_at is not None:
            if job.status in _ENDED_BY_AN_ATTEMPT and job.finished_at is not None:
                run_seconds = max((job.finished_at - job.started_at).total_seconds(), 0.0)
            if job.attempts == 1:
                queue_wait_seconds = max((job.started_at - job.created_at).total_seconds(), 0.0)
        transition.uow.after_commit(
            partial(
                self._metrics.job_ended,
                kind=job.kind,
                queue=job.queue,
                status=job.status.value,
                run_seconds=run_seconds,
                queue_wait_seconds=queue_wait_seconds,
            )
        )
