"""Celery tasks: the execution edge. Each validates its message, calls one use case, logs.

Every job kind in the registry gets one task, named as the registry says (stable public
names), with the kind's time limits; all of them run the one attempt pipeline. Arguments are
keyword-only and ids only; unknown keywords are ignored so older workers survive newer
messages.

A job task binds its message's ids (request_id and user_id from the headers, job_id, attempt,
queue) to every log line it makes, and logs one line when it starts and one with its outcome
and duration. The engine's periodic tasks log only when they did something.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from celery import Task, shared_task, signals
from celery.exceptions import Reject
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.celery.shutdown import stopping_reason
from adapters.metrics.jobs import count_attempt, count_reconciled
from adapters.observability import correlation, logs
from adapters.orm import api_tokens
from adapters.rate_limits.counters import DatabaseRateCounter
from application.jobs.dead_messages import RecordDeadMessage
from application.jobs.pipeline import RunAttempt
from application.jobs.registry import JobKind
from application.schedules.fire import FireSchedules
from config.celery import app
from config.container import container
from config.gc_freeze import collect_after_each_piece_of_work, collect_young, freeze_start_up_objects

logger = logs.get_logger(__name__)
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
        logger.error("dead-lettering a malformed message", task=task.name, args=args, kwargs=kwargs, error=str(exc))
        container.record_dead_message()(
            RecordDeadMessage(task=task.name, payload={"args": list(args), "kwargs": kwargs}, reason=str(exc))
        )
        return
    delivery_info = task.request.delivery_info or {}
    with correlation.bound(
        task.request.headers,
        task=task.name,
        job_id=str(message.job_id),
        attempt=message.attempt,
        queue=delivery_info.get("routing_key"),
    ):
        _run_attempt(task, kind, message)


def _run_attempt(task: Task[Any, Any], kind: str, message: JobMessage) -> None:
    if reason := stopping_reason():
        # A stopping worker starts nothing: the message goes back for another worker.
        raise Reject(reason, requeue=True)
    started = time.perf_counter()
    logger.info("attempt started")
    try:
        outcome = container.attempt_pipeline()(
            RunAttempt(
                job_id=message.job_id,
                attempt=message.attempt,
                worker=task.request.hostname or "unknown",
                first_delivery=first_delivery(task),
            )
        )
    except (OperationalError, InterfaceError) as exc:
        # The database is away (restart, failover): the message is our only copy of this
        # delivery until the reconciler resends it, so keep it, and try again shortly.
        countdown = min(2**task.request.retries, DATABASE_RETRY_CAP_SECONDS)
        logger.warning("database unavailable, trying again", countdown_seconds=countdown, error=str(exc))
        raise task.retry(exc=exc, countdown=countdown, max_retries=DATABASE_RETRIES) from exc
    steps = {"claim": outcome.claim_seconds, "work": outcome.work_seconds, "record": outcome.record_seconds}
    count_attempt(kind=kind, outcome=outcome.outcome.value, steps=steps)  # its transactions have committed
    logger.info(
        "attempt ended",
        outcome=outcome.outcome.value,
        detail=outcome.detail,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        **{f"{step}_ms": round(seconds * 1000, 1) for step, seconds in steps.items()},
    )


def first_delivery(task: Task[Any, Any]) -> bool:
    """No earlier delivery of this message reached a worker: the broker did not give it back
    (kombu marks a message restored after its worker was lost, or its visibility timeout
    passed, as redelivered) and this task did not retry it (after a database error)."""
    request = task.request
    redelivered = (
        (request.delivery_info or {}).get("redelivered")
        or getattr(request, "redelivered", False)  # the message's headers, on protocol 2
        or (request.headers or {}).get("redelivered")
    )
    return not redelivered and not request.retries


def _register(kind: JobKind) -> Task[Any, Any]:
    def run(self: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
        run_attempt(self, kind.name, args, kwargs)

    run.__name__ = run.__qualname__ = kind.task.replace(".", "_")
    options: dict[str, Any] = {
        "bind": True,
        "name": kind.task,
        "acks_late": True,
        "reject_on_worker_lost": True,
        # killed at its hard time limit: given back (marked redelivered), not acknowledged. A
        # brief attempt's job then runs again at once; an ordinary attempt's delivery is
        # skipped (its job runs) and its lease brings the job back, as before
        "acks_on_timeout": False,
        "ignore_result": True,
        "soft_time_limit": kind.soft_time_limit_seconds,
        "time_limit": kind.time_limit_seconds,
    }
    return app.task(**options)(run)


JOB_TASKS = {kind.name: _register(kind) for kind in container.job_kinds()}


@signals.worker_process_init.connect
def _warm_up(**_: Any) -> None:
    """Load the report engine when a pool process starts (after the fork: its native thread
    pools must not be forked), so the first attempt pays no import, nor a time limit for it;
    then take what start-up made out of the garbage collector's full passes."""
    container.report_engine().warm_up()
    queue = container.task_queue()
    # An attempt publishes what its commit admits (its owner's next jobs) itself, right after
    # the commit: no thread hand-off (see adapters.celery.task_queue), and the doorbell is in
    # the broker before the attempt's delivery is acknowledged and the next one taken.
    queue.publish_in_caller_thread()
    queue.warm_up()
    freeze_start_up_objects()
    collect_after_each_piece_of_work()


@signals.task_postrun.connect
def _collect_young(**_: Any) -> None:
    """After each task in a pool process, its end committed (see config.gc_freeze)."""
    collect_young()


@signals.worker_ready.connect
def _freeze_main_process(**_: Any) -> None:
    """The worker's main process, which receives every message, likewise once it is ready."""
    freeze_start_up_objects()


@shared_task(name="jobs.relay_outbox", ignore_result=True)
def relay_outbox(**_: Any) -> None:
    """Admit what owners' limits now allow, then publish what was never published."""
    dispatched = container.dispatch_waiting()()
    report = container.outbox_dispatcher().relay()
    if dispatched.dispatched or report.published or report.failed:
        logger.info(
            "outbox relayed",
            task="jobs.relay_outbox",
            dispatched=dispatched.dispatched,
            published=report.published,
            failed=report.failed,
        )


@shared_task(name="jobs.reconcile", ignore_result=True)
def reconcile(**_: Any) -> None:
    report = container.reconcile_jobs()()
    count_reconciled(leases_expired=report.leases_expired, redelivered=report.redelivered)
    if report.leases_expired or report.redelivered:
        logger.warning(
            "jobs reconciled",
            task="jobs.reconcile",
            leases_expired=report.leases_expired,
            redelivered=report.redelivered,
        )


@shared_task(name="jobs.housekeeping", ignore_result=True)
def housekeeping(**_: Any) -> None:
    report = container.purge_expired()()
    tokens = api_tokens.purge_expired(timezone.now())  # authentication checks only the token it sees
    if report.idempotency_keys_purged or report.outbox_entries_purged or tokens:
        logger.info("housekeeping", task="jobs.housekeeping", expired_tokens_purged=tokens, **report.model_dump())


@shared_task(name="jobs.retention", ignore_result=True)
def apply_retention(**_: Any) -> None:
    """Delete the files of reports past RETENTION_DAYS, and the rate counters of past windows."""
    report = container.apply_retention()()
    counter = container.rate_counter()
    counters = counter.purge_expired(timezone.now()) if isinstance(counter, DatabaseRateCounter) else 0
    if report.reports_deleted or report.blobs_deleted or counters:
        logger.info("retention applied", task="jobs.retention", rate_counters_purged=counters, **report.model_dump())


@shared_task(name="schedules.fire", ignore_result=True)
def fire_schedules(*, scheduler: str = "", **_: Any) -> None:
    """Sent by beat with its name: it fires only while that beat holds the scheduler lease."""
    report = container.fire_schedules()(FireSchedules(scheduler=scheduler))
    if not report.active:
        logger.debug("not the scheduler holding the lease, nothing done", task="schedules.fire", scheduler=scheduler)
    elif report.fired or report.disabled:
        logger.info("schedules fired", task="schedules.fire", **report.model_dump(exclude={"active"}))
