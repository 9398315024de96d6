"""Celery tasks: the execution edge. Each validates its message, calls one use case, logs.

Task names are stable public names; arguments are keyword-only and ids only, and unknown
keywords are ignored so older workers survive newer messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from application.attempts import AttemptOutcome, RunAttempt
from application.record_dead_message import RecordDeadMessage
from config.container import container

logger = logging.getLogger(__name__)
DATABASE_RETRIES = 30
DATABASE_RETRY_CAP_SECONDS = 10


class JobMessage(BaseModel):
    """The body of every job task message."""

    model_config = ConfigDict(extra="ignore")

    job_id: UUID
    attempt: int = Field(ge=1)


def _run_attempt(task: Task[Any, Any], handler: Callable[[RunAttempt], AttemptOutcome], args: Any, kwargs: Any) -> None:
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
    try:
        outcome = handler(
            RunAttempt(job_id=message.job_id, attempt=message.attempt, worker=task.request.hostname or "unknown")
        )
    except (OperationalError, InterfaceError) as exc:
        # The database is away (restart, failover): the message is our only copy of this
        # delivery until the reconciler resends it, so keep it, and try again shortly.
        countdown = min(2**task.request.retries, DATABASE_RETRY_CAP_SECONDS)
        logger.warning("%s job=%s: database unavailable, again in %ss: %s", task.name, message.job_id, countdown, exc)
        raise task.retry(exc=exc, countdown=countdown, max_retries=DATABASE_RETRIES) from exc
    logger.info(
        "%s job=%s attempt=%s outcome=%s %s",
        task.name,
        outcome.job_id,
        outcome.attempt,
        outcome.outcome,
        outcome.detail,
    )


@shared_task(bind=True, name="reports.process", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def process_report(self: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
    _run_attempt(self, container.process_report(), args, kwargs)


@shared_task(bind=True, name="reports.chunk", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def process_chunk(self: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
    _run_attempt(self, container.process_chunk(), args, kwargs)


@shared_task(bind=True, name="reports.merge", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def merge_report(self: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
    _run_attempt(self, container.merge_report(), args, kwargs)


@shared_task(name="jobs.relay_outbox", ignore_result=True)
def relay_outbox(**_: Any) -> None:
    report = container.outbox_dispatcher().relay()
    if report.published or report.failed:
        logger.info("jobs.relay_outbox published=%d failed=%d", report.published, report.failed)


@shared_task(name="jobs.reconcile", ignore_result=True)
def reconcile(**_: Any) -> None:
    report = container.reconcile_jobs()()
    if report.leases_expired or report.redelivered:
        logger.warning("jobs.reconcile leases_expired=%d redelivered=%d", report.leases_expired, report.redelivered)


@shared_task(name="jobs.housekeeping", ignore_result=True)
def housekeeping(**_: Any) -> None:
    report = container.purge_expired()()
    logger.info("jobs.housekeeping %s", report.model_dump())
