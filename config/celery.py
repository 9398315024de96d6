"""The Celery app. Settings come from Django settings (CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery, signals
from kombu.utils.objects import cached_property

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class ReportflowCelery(Celery):
    @cached_property
    def Worker(self) -> type:  # noqa: N802 - Celery's name
        """`celery worker` runs adapters.celery.worker_process.ReportflowWorker: it sets up metrics
        and liveness before the worker imports its tasks and forks its pool."""
        return self.subclass_with_self("adapters.celery.worker_process:ReportflowWorker")  # type: ignore[arg-type]


@signals.setup_logging.connect
def _use_django_logging(**_: object) -> None:
    """Every Celery command (worker, beat, flower) logs through Django's LOGGING (structlog,
    adapters.observability.logs): with a receiver here, Celery installs no handlers of its own."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_init.connect
def _trace(**_: object) -> None:
    """Traces when the OTEL_* variables ask for them (adapters.observability.tracing); pool
    processes inherit the instrumentation."""
    from adapters.observability import tracing

    tracing.configure()


app = ReportflowCelery("reportflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connection before and after every task unless
# this is set, which cost 2.7x in worker throughput here. Connections are managed by
# adapters.celery.db_connections instead, honouring CONN_MAX_AGE and health checks.
app.conf.CELERY_DB_REUSE_MAX = 1_000_000_000
app.autodiscover_tasks(["adapters.celery"], related_name="tasks")
app.autodiscover_tasks(["adapters.celery"], related_name="db_connections")
app.autodiscover_tasks(["adapters.celery"], related_name="shutdown")
app.autodiscover_tasks(["adapters.celery"], related_name="limits")
