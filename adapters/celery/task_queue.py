"""TaskQueue over Celery: publishes a task message carrying ids only."""

from __future__ import annotations

from celery import Celery

from domain.ports import Delivery

# job kind -> Celery task name; both are stable public names, so old messages stay valid
TASK_FOR_KIND = {"report.process": "reports.process"}


class CeleryTaskQueue:
    def __init__(self, app: Celery) -> None:
        self._app = app

    def enqueue(self, delivery: Delivery) -> None:
        self._app.send_task(
            TASK_FOR_KIND[delivery.kind],
            kwargs={"job_id": str(delivery.job_id), "attempt": delivery.attempt},
            queue=delivery.queue,
            countdown=delivery.delay_seconds or None,
        )
