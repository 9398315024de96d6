"""The composition root: the only module that wires use cases to adapters.

Views and tasks resolve handlers from `container`; tests override providers.
"""

from __future__ import annotations

import importlib

from dependency_injector import containers, providers
from django.conf import settings

from adapters.celery.task_queue import CeleryTaskQueue
from adapters.clock import SystemClock
from adapters.orm.heartbeat import DjangoHeartbeat
from adapters.orm.unit_of_work import DjangoUnitOfWork
from adapters.storage.django_blob_store import DjangoBlobStore
from application.attempts import AttemptRunner
from application.engine_settings import JobEngineSettings
from application.get_job import GetJobEventsHandler, GetJobHandler
from application.get_report import GetReportDocumentHandler, GetReportHandler
from application.housekeeping import PurgeExpiredHandler
from application.job_commands import CancelJobHandler, ReplayJobHandler
from application.list_dead_letters import ListDeadLettersHandler
from application.list_jobs import ListJobsHandler
from application.merge_report import MergeReportHandler
from application.outbox_dispatcher import OutboxDispatcher
from application.process_chunk import ProcessChunkHandler
from application.process_report import ProcessReportHandler
from application.reconcile_jobs import ReconcileJobsHandler
from application.record_dead_message import RecordDeadMessageHandler
from application.report_output import REPORT_JOB_KIND, ReportProcessing
from application.retry_policy import RetryPolicy
from application.submit_report import ReportIntake, SubmitReportHandler
from config.celery import app as celery_app
from domain.ports import ReportEngine


def _report_engine() -> ReportEngine:
    module, _, name = settings.REPORT_ENGINE.partition(":")
    engine: ReportEngine = getattr(importlib.import_module(module), name)()
    return engine


def _intake() -> ReportIntake:
    return ReportIntake(max_upload_bytes=settings.MAX_UPLOAD_BYTES)


def _processing() -> ReportProcessing:
    return ReportProcessing(fan_out_bytes=settings.FAN_OUT_BYTES, chunk_bytes=settings.CHUNK_BYTES)


def _engine() -> JobEngineSettings:
    return JobEngineSettings(
        lease_seconds=settings.LEASE_SECONDS,
        redelivery_after_seconds=settings.REDELIVERY_AFTER_SECONDS,
        max_attempts={REPORT_JOB_KIND: settings.REPORT_MAX_ATTEMPTS},
        default_max_attempts=settings.REPORT_MAX_ATTEMPTS,
        retry=RetryPolicy(base_seconds=settings.RETRY_BASE_SECONDS, cap_seconds=settings.RETRY_CAP_SECONDS),
    )


class Container(containers.DeclarativeContainer):
    clock = providers.Singleton(SystemClock)
    uow = providers.Factory(DjangoUnitOfWork)
    blobs = providers.Singleton(DjangoBlobStore)
    task_queue = providers.Singleton(CeleryTaskQueue, app=celery_app)
    heartbeat = providers.Singleton(DjangoHeartbeat, clock=clock)
    report_engine = providers.Singleton(_report_engine)
    intake = providers.Singleton(_intake)
    processing = providers.Singleton(_processing)
    engine = providers.Singleton(_engine)

    outbox_dispatcher = providers.Factory(OutboxDispatcher, uow=uow, queue=task_queue, clock=clock)
    attempt_runner = providers.Factory(
        AttemptRunner, uow=uow, heartbeat=heartbeat, dispatcher=outbox_dispatcher, clock=clock, engine=engine
    )
    submit_report = providers.Factory(
        SubmitReportHandler,
        uow=uow,
        blobs=blobs,
        dispatcher=outbox_dispatcher,
        clock=clock,
        intake=intake,
        engine=engine,
        report_engine=report_engine,
    )
    process_report = providers.Factory(
        ProcessReportHandler, runner=attempt_runner, blobs=blobs, engine=report_engine, processing=processing
    )
    process_chunk = providers.Factory(ProcessChunkHandler, runner=attempt_runner, blobs=blobs, engine=report_engine)
    merge_report = providers.Factory(MergeReportHandler, runner=attempt_runner, blobs=blobs, engine=report_engine)
    cancel_job = providers.Factory(CancelJobHandler, uow=uow, clock=clock)
    replay_job = providers.Factory(ReplayJobHandler, uow=uow, dispatcher=outbox_dispatcher, clock=clock, engine=engine)
    reconcile_jobs = providers.Factory(
        ReconcileJobsHandler, uow=uow, dispatcher=outbox_dispatcher, clock=clock, engine=engine
    )
    purge_expired = providers.Factory(PurgeExpiredHandler, uow=uow, clock=clock)
    record_dead_message = providers.Factory(RecordDeadMessageHandler, uow=uow, clock=clock)
    get_job = providers.Factory(GetJobHandler, uow=uow)
    get_job_events = providers.Factory(GetJobEventsHandler, uow=uow)
    list_jobs = providers.Factory(ListJobsHandler, uow=uow)
    list_dead_letters = providers.Factory(ListDeadLettersHandler, uow=uow)
    get_report = providers.Factory(GetReportHandler, uow=uow)
    get_report_document = providers.Factory(GetReportDocumentHandler, uow=uow, blobs=blobs)


container = Container()
