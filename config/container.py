"""The composition root: the only module that wires use cases to adapters.

Views and tasks resolve handlers from `container`; tests override providers.
"""

from __future__ import annotations

from dependency_injector import containers, providers
from django.conf import settings

from adapters.analysis.csv_summary import CsvSummaryAnalyzer
from adapters.celery.task_queue import CeleryTaskQueue
from adapters.clock import SystemClock
from adapters.orm.unit_of_work import DjangoUnitOfWork
from adapters.storage.django_blob_store import DjangoBlobStore
from application.get_job import GetJobEventsHandler, GetJobHandler
from application.get_report import GetReportHandler, GetReportResultHandler
from application.list_jobs import ListJobsHandler
from application.process_report import ProcessReportHandler
from application.retry_policy import RetryPolicy
from application.submit_report import ReportIntake, SubmitReportHandler
from config.celery import app as celery_app


def _intake() -> ReportIntake:
    return ReportIntake(max_upload_bytes=settings.MAX_UPLOAD_BYTES, max_attempts=settings.REPORT_MAX_ATTEMPTS)


def _retry_policy() -> RetryPolicy:
    return RetryPolicy(base_seconds=settings.RETRY_BASE_SECONDS, cap_seconds=settings.RETRY_CAP_SECONDS)


class Container(containers.DeclarativeContainer):
    clock = providers.Singleton(SystemClock)
    uow = providers.Factory(DjangoUnitOfWork)
    blobs = providers.Singleton(DjangoBlobStore)
    task_queue = providers.Singleton(CeleryTaskQueue, app=celery_app)
    analyzer = providers.Singleton(CsvSummaryAnalyzer)
    intake = providers.Singleton(_intake)
    retry_policy = providers.Singleton(_retry_policy)

    submit_report = providers.Factory(
        SubmitReportHandler, uow=uow, blobs=blobs, queue=task_queue, clock=clock, intake=intake
    )
    process_report = providers.Factory(
        ProcessReportHandler,
        uow=uow,
        blobs=blobs,
        analyzer=analyzer,
        queue=task_queue,
        clock=clock,
        retry_policy=retry_policy,
    )
    get_job = providers.Factory(GetJobHandler, uow=uow)
    get_job_events = providers.Factory(GetJobEventsHandler, uow=uow)
    list_jobs = providers.Factory(ListJobsHandler, uow=uow)
    get_report = providers.Factory(GetReportHandler, uow=uow)
    get_report_result = providers.Factory(GetReportResultHandler, uow=uow)


container = Container()
