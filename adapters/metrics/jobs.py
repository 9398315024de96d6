"""Job counters: the JobMetrics port for the use cases, and what the task edge counts."""

from __future__ import annotations

from adapters.metrics.definitions import (
    ATTEMPT_STEP_SECONDS,
    JOB_ATTEMPTS,
    JOB_QUEUE_WAIT_SECONDS,
    JOB_RUN_SECONDS,
    JOBS_ENDED,
    JOBS_SUBMITTED,
    RECONCILER_ACTIONS,
)


class PrometheusJobMetrics:
    def job_submitted(self, *, kind: str, queue: str) -> None:
        JOBS_SUBMITTED.labels(kind=kind, queue=queue).inc()

    def job_ended(
        self, *, kind: str, queue: str, status: str, run_seconds: float | None, queue_wait_seconds: float | None
    ) -> None:
        JOBS_ENDED.labels(kind=kind, queue=queue, status=status).inc()
        if run_seconds is not None:
            JOB_RUN_SECONDS.labels(kind=kind, queue=queue, status=status).observe(run_seconds)
        if queue_wait_seconds is not None:
            JOB_QUEUE_WAIT_SECONDS.labels(kind=kind, queue=queue).observe(queue_wait_seconds)


def count_attempt(*, kind: str, outcome: str, steps: dict[str, float]) -> None:
    """A worker handled a delivery of `kind` with this outcome (its transaction committed),
    its steps (claim, work, record) taking these seconds; a step it did not reach is 0."""
    JOB_ATTEMPTS.labels(kind=kind, outcome=outcome).inc()
    for step, seconds in steps.items():
        if seconds:
            ATTEMPT_STEP_SECONDS.labels(kind=kind, step=step).observe(seconds)


def count_reconciled(*, leases_expired: int, redelivered: int) -> None:
    """What one reconciler run did (its transaction committed)."""
    if leases_expired:
        RECONCILER_ACTIONS.labels(action="lease_expired").inc(leases_expired)
    if redelivered:
        RECONCILER_ACTIONS.labels(action="redelivered").inc(redelivered)
