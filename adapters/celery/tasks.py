"""Celery tasks: the execution edge. Each validates its message, calls one use case, logs.

Every job kind in the registry gets one task, named as the registry says (stable public
names), with the kind's time limits; all of them run the one attempt pipeline. Arguments are
keyword-only and ids only; unknown keywords are ignored so older workers survive newer
messages.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from celery import Task, shared_task, signals
from celery.exceptions import Reject
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.celery.shutdown import stopping_reason
from adapters.metrics.jobs import count_attempt, count_reconciled
from adapters.orm import api_tokens
from adapters.rate_limits.counters import DatabaseRateCounter
from application.jobs.dead_messages import RecordDeadMessage
from application.jobs.pipeline import RunAttempt
from application.jobs.registry import JobKind
from application.schedules.fire import FireSchedules
from config.celery import app
from config.container import container

logger = logging.getLogger(__name__)
DATABASE_RETRIES = 30
DATABASE_RETRY_CAP_SECONDS = 10


class JobMessage(BaseModel):
    """The body of every job task message."""

    model_config = ConfigDict(extra="ignore")

    job_id: UUID
    attempt: int = Field(ge=1)


def run_attempt(task: Task[Any, Any], kind: str, args: Any, kwargs: Any) -> None:
    try:
        if args:
            raise ValueError("positional arguments are not part of the message format")
        message = JobMessage.model_validate(kwargs)
    except (ValidationError, ValueError) as exc:
        # A malformed message can never succeed: keep it for inspection and acknowledge it.
        logger.error("%s: dead-lettering malformed message %r %r: %s", task.name, args, kwargs, exc)
        container.record_dead_message()(
            RecordDeadMessage(task=task.name, payload={"args": list(args), "kwargs": kwargs}, reason=str(exc))
        )
        return
    if reason := stopping_reason():
        # A stopping worker starts nothing: the message goes back for another worker.
        raise Reject(reason, requeue=True)
    try:
        outcome = container.attempt_pipeline()(
            RunAttempt(job_id=message.job_id, attempt=message.attempt, worker=task.request.hostname or "unknown")
        )
    except (OperationalError, InterfaceError) as exc:
        # The database is away (restart, failover): the message is our only copy of this
        # delivery until the reconciler resends it, so keep it, and try again shortly.
        countdown = min(2**task.request.retries, DATABASE_RETRY_CAP_SECONDS)
        logger.warning("%s job=%s: database unavailable, again in %ss: %s", task.name, message.job_id, countdown, exc)
        raise task.retry(exc=exc, countdown=countdown, max_retries=DATABASE_RETRIES) from exc
    count_attempt(kind=kind, outcome=outcome.outcome.value)  # the attempt's transactions have committed
    logger.info(
        "%s job=%s attempt=%s outcome=%s %s",
        task.name,
        outcome.job_id,
        outcome.attempt,
        outcome.outcome,
        outcome.detail,
    )


def _register(kind: JobKind) -> Task[Any, Any]:
    def run(self: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
        run_attempt(self, kind.name, args, kwargs)

    run.__name__ = run.__qualname__ = kind.task.replace(".", "_")
    options: dict[str, Any] = {
        "bind": True,
        "name": kind.task,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "ignore_result": True,
        "soft_time_limit": kind.soft_time_limit_seconds,
        "time_limit": kind.time_limit_seconds,
    }
    return app.task(**options)(run)


JOB_TASKS = {kind.name: _register(kind) for kind in container.job_kinds()}


@signals.worker_process_init.connect
def _warm_up(**_: Any) -> None:
    """Load the report engine when a pool process starts (after the fork: its native thread
    pools must not be forked), so the first attempt pays no import, nor a time limit for it."""
    container.report_engine().warm_up()


@shared_task(name="jobs.relay_outbox", ignore_result=True)
def relay_outbox(**_: Any) -> None:
    """Admit what owners' limits now allow, then publish what was never published."""
    dispatched = container.dispatch_waiting()()
    report = container.outbox_dispatcher().relay()
    if dispatched.dispatched or report.published or report.failed:
        logger.info(
            "jobs.relay_outbox dispatched=%d published=%d failed=%d",
            *(dispatched.dispatched, report.published, report.failed),
        )


@shared_task(name="jobs.reconcile", ignore_result=True)
def reconcile(**_: Any) -> None:
    report = container.reconcile_jobs()()
    count_reconciled(leases_expired=report.leases_expired, redelivered=report.redelivered)
    if report.leases_expired or report.redelivered:
        logger.warning("jobs.reconcile leases_expired=%d redelivered=%d", report.leases_expired, report.redelivered)


@shared_task(name="jobs.housekeeping", ignore_result=True)
def housekeeping(**_: Any) -> None:
    report = container.purge_expired()()
    tokens = api_tokens.purge_expired(timezone.now())  # authentication checks only the token it sees
    if report.idempotency_keys_purged or report.outbox_entries_purged or tokens:
        logger.info("jobs.housekeeping %s expired_tokens_purged=%d", report.model_dump(), tokens)


@shared_task(name="jobs.retention", ignore_result=True)
def apply_retention(**_: Any) -> None:
    """Delete the files of reports past RETENTION_DAYS, and the rate counters of past windows."""
    report = container.apply_retention()()
    counter = container.rate_counter()
    counters = counter.purge_expired(timezone.now()) if isinstance(counter, DatabaseRateCounter) else 0
    if report.reports_deleted or report.blobs_deleted or counters:
        logger.info("jobs.retention %s rate_counters_purged=%d", report.model_dump(), counters)


@shared_task(name="schedules.fire", ignore_result=True)
def fire_schedules(*, scheduler: str = "", **_: Any) -> None:
    """Sent by beat with its name: it fires only while that beat holds the scheduler lease."""
    report = container.fire_schedules()(FireSchedules(scheduler=scheduler))
    if not report.active:
        logger.info("schedules.fire from %r: not the scheduler holding the lease, nothing done", scheduler)
    elif report.fired or report.disabled:
        logger.info("schedules.fire %s", report.model_dump(exclude={"active"}))
