"""Celery tasks: the execution edge. Each takes ids, calls one use case, logs the outcome."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from pydantic import ValidationError

from application.process_report import ProcessReport
from config.container import container

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="reports.process",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def process_report(self: Task[Any, Any], /, *, job_id: str, attempt: int, **_: Any) -> None:
    try:
        cmd = ProcessReport.model_validate(
            {"job_id": job_id, "attempt": attempt, "worker": self.request.hostname or "unknown"}
        )
    except ValidationError as exc:
        # A malformed message can never succeed: acknowledge it and say so loudly.
        logger.error("reports.process: dropping malformed message %r: %s", self.request.kwargs, exc)
        return
    outcome = container.process_report()(cmd)
    logger.info(
        "reports.process job=%s attempt=%s outcome=%s %s",
        outcome.job_id,
        outcome.attempt,
        outcome.outcome,
        outcome.detail,
    )
