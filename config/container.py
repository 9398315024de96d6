"""The composition root: the only module that wires use cases to adapters.

Views and tasks resolve handlers from `container`; tests override providers.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from dependency_injector import containers, providers
from django.conf import settings
from django.db import connection

from adapters.celery.queue_depth import QueueDepth, queue_depth_for
from adapters.celery.shutdown import stopping_reason
from adapters.celery.taken_deliveries import RedisTakenDeliveries
from adapters.celery.task_queue import CeleryTaskQueue
from adapters.clock import SystemClock
from adapters.links import PublicLinks
from adapters.metrics.jobs import PrometheusJobMetrics
from adapters.metrics.webhooks import MeteredWebhookSender
from adapters.notifications.mailer import DjangoMailer
from adapters.notifications.resolver import SocketHostResolver
from adapters.notifications.sender import HttpxWebhookSender
from adapters.notifications.signer import StandardWebhooksSigner
from adapters.observability import correlation
from adapters.orm.background import background_for_database
from adapters.orm.heartbeat import DjangoHeartbeat
from adapters.orm.outbox import DjangoPublishedMarks
from adapters.orm.small_blobs import SmallBlobsInDatabase
from adapters.orm.statistics import DjangoEngineStatistics
from adapters.orm.unit_of_work import DjangoUnitOfWork
from adapters.orm.usage import DjangoSubmissionUsage
from adapters.orm.user_limits import DjangoRateOverrides
from adapters.rate_limits.counters import DatabaseRateCounter, RateCounter, RedisRateCounter
from adapters.rate_limits.limits import CachedOverrides, RatePolicy, SubmitRateLimits
from adapters.rate_limits.rates import parse_rate
from adapters.storage.django_blob_store import DjangoBlobStore
from application.jobs.admission import Admission, ExecutionLimits, SameLimitsForAll
from application.jobs.commands import CancelJobHandler, ReplayJobHandler
from application.jobs.dead_messages import RecordDeadMessageHandler
from application.jobs.dispatch_waiting import DispatchWaitingJobsHandler
from application.jobs.get_job import GetJobEventsHandler, GetJobHandler
from application.jobs.housekeeping import PurgeExpiredHandler
from application.jobs.job_ended import ENGINE_LISTENERS
from application.jobs.list_dead_letters import ListDeadLettersHandler
from application.jobs.list_jobs import ListJobsHandler
from application.jobs.metrics import CountEndedJobs, JobMetrics
from application.jobs.outbox_dispatcher import OutboxDispatcher
from application.jobs.pipeline import AttemptPipeline
from application.jobs.reconciler import ReconcileJobsHandler
from application.jobs.registry import JobHandler, JobKinds
from application.jobs.retry_policy import RetryPolicy
from application.jobs.settings import JobSettings
from application.jobs.statistics import ReadEngineGaugesHandler
from application.jobs.transition import JobEndedListener, JobTransitions
from application.notifications.change_endpoint import ChangeWebhookEndpointHandler, DeleteWebhookEndpointHandler
from application.notifications.create_endpoint import CreateWebhookEndpointHandler
from application.notifications.deliver_webhook import DeliverWebhookHandler
from application.notifications.destinations import DestinationCheck
from application.notifications.email_preferences import ChangeEmailPreferencesHandler, GetEmailPreferencesHandler
from application.notifications.get_endpoints import GetWebhookEndpointHandler, ListWebhookEndpointsHandler
from application.notifications.job_ended import CountFailedDeliveries, NotifyJobEnded
from application.notifications.kinds import (
    EMAIL_JOB_KIND,
    WEBHOOK_JOB_KIND,
    NotificationKindSettings,
    notification_job_kinds,
)
from application.notifications.list_deliveries import GetWebhookDeliveryHandler, ListWebhookDeliveriesHandler
from application.notifications.rotate_secret import RotateWebhookSecretHandler
from application.notifications.send_again import RedeliverHandler, SendTestEventHandler
from application.notifications.send_email import SendEmailHandler
from application.notifications.settings import NotificationSettings
from application.reports.chunk import ProcessChunkHandler
from application.reports.delete import DeleteReportHandler
from application.reports.get_report import GetReportDocumentHandler, GetReportHandler
from application.reports.kinds import (
    CHUNK_JOB_KIND,
    MERGE_JOB_KIND,
    REPORT_JOB_KIND,
    ReportKindSettings,
    report_job_kinds,
)
from application.reports.merge import MergeReportHandler
from application.reports.output import ReportProcessing
from application.reports.process import ProcessReportHandler
from application.reports.quotas import SubmissionQuotas
from application.reports.retention import ApplyRetentionHandler, Retention
from application.reports.submit import ReportIntake, SubmitReportHandler
from application.schedules.fire import FireSchedulesHandler
from application.schedules.lease import ClaimSchedulerLeaseHandler, ReleaseSchedulerLeaseHandler
from application.schedules.manage import ChangeScheduleHandler, CreateScheduleHandler, DeleteScheduleHandler
from application.schedules.queries import GetScheduleHandler, ListScheduleRunsHandler, ListSchedulesHandler
from application.schedules.settings import SchedulerSettings
from config.celery import app as celery_app
from domain.notifications.destination import AddressPolicy
from domain.ports import BlobStore, Clock, NoTakenDeliveries, ReportEngine, TakenDeliveries


def _built(path: str) -> Any:
    """An instance of the class named "module:Class" (what tests swap in through settings)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)()


def _report_engine() -> ReportEngine:
    engine: ReportEngine = _built(settings.REPORT_ENGINE)
    return engine


def _schedule_clock() -> Clock:
    clock: Clock = _built(settings.SCHEDULE_CLOCK)
    return clock


def _scheduler_settings() -> SchedulerSettings:
    return SchedulerSettings(lease_seconds=settings.SCHEDULER_LEASE_SECONDS)


def _intake() -> ReportIntake:
    return ReportIntake(max_upload_bytes=settings.MAX_UPLOAD_BYTES)


def _rate_counter() -> RateCounter:
    return RedisRateCounter(settings.RATE_LIMIT_REDIS_URL) if settings.RATE_LIMIT_REDIS_URL else DatabaseRateCounter()


def _rate_policy(name: str, rate: str) -> RatePolicy | None:
    parsed = parse_rate(rate)
    return None if parsed is None else RatePolicy(name=name, quota=parsed[0], window=parsed[1])


def _submit_rate_limits(counter: RateCounter) -> SubmitRateLimits:
    return SubmitRateLimits(
        counter=counter,
        user=_rate_policy("user", settings.SUBMIT_RATE_LIMIT),
        everyone=_rate_policy("global", settings.GLOBAL_SUBMIT_RATE_LIMIT),
        overrides=CachedOverrides(DjangoRateOverrides()),
    )


def _quotas() -> SubmissionQuotas:
    return SubmissionQuotas(
        max_queued=settings.USER_MAX_QUEUED,
        max_stored_bytes=settings.USER_MAX_STORED_BYTES,
        max_backlog=settings.MAX_BACKLOG,
    )


def _retention() -> Retention:
    return Retention(days=settings.RETENTION_DAYS)


def _taken_deliveries(kinds: JobKinds) -> TakenDeliveries:
    """What kombu's Redis transport records of the job deliveries workers took; the embedded
    broker records nothing a worker could read back."""
    if _broker_is_redis():
        return RedisTakenDeliveries(celery_app, tasks=[kind.task for kind in kinds])
    return NoTakenDeliveries()


def _broker_is_redis() -> bool:
    return urlsplit(settings.CELERY_BROKER_URL).scheme in {"redis", "rediss"}


def _processing() -> ReportProcessing:
    return ReportProcessing(
        fan_out_bytes=settings.FAN_OUT_BYTES,
        chunk_bytes=settings.CHUNK_BYTES,
        # a brief attempt holds its job's row lock through its work (SQLite would lock the whole
        # database), and a worker lost in the middle of one is found by its taken delivery
        # (which only Redis records: _taken_deliveries)
        brief_bytes=settings.BRIEF_ATTEMPT_BYTES if connection.vendor == "postgresql" and _broker_is_redis() else 0,
    )


def _job_settings() -> JobSettings:
    return JobSettings(
        lease_seconds=settings.LEASE_SECONDS,
        cancel_check_seconds=settings.CANCEL_CHECK_SECONDS,
        redelivery_after_seconds=settings.REDELIVERY_AFTER_SECONDS,
        retry=RetryPolicy(base_seconds=settings.RETRY_BASE_SECONDS, cap_seconds=settings.RETRY_CAP_SECONDS),
    )


def _notification_settings() -> NotificationSettings:
    return NotificationSettings(
        disable_after_failures=settings.WEBHOOK_DISABLE_AFTER_FAILURES,
        secret_grace_seconds=settings.WEBHOOK_SECRET_GRACE_SECONDS,
        message_id_domain=urlsplit(settings.PUBLIC_BASE_URL).hostname or "reportflow.localhost",
    )


def _job_kinds(
    process_report: providers.Provider[JobHandler],
    process_chunk: providers.Provider[JobHandler],
    merge_report: providers.Provider[JobHandler],
    deliver_webhook: providers.Provider[JobHandler],
    send_email: providers.Provider[JobHandler],
) -> JobKinds:
    """Every job kind with the provider of its handler: adding a kind is one entry here."""
    handlers = {
        REPORT_JOB_KIND: process_report,
        CHUNK_JOB_KIND: process_chunk,
        MERGE_JOB_KIND: merge_report,
        WEBHOOK_JOB_KIND: deliver_webhook,
        EMAIL_JOB_KIND: send_email,
    }
    report_kinds = report_job_kinds(
        ReportKindSettings(
            bulk_above_bytes=settings.BULK_ABOVE_BYTES,
            max_attempts=settings.REPORT_MAX_ATTEMPTS,
            soft_time_limit_seconds=settings.REPORT_SOFT_TIME_LIMIT_SECONDS,
            time_limit_seconds=settings.REPORT_TIME_LIMIT_SECONDS,
        )
    )
    notification_kinds = notification_job_kinds(
        NotificationKindSettings(
            webhook_max_attempts=settings.WEBHOOK_MAX_ATTEMPTS, email_max_attempts=settings.EMAIL_MAX_ATTEMPTS
        )
    )
    return JobKinds((kind, handlers[kind.name]) for kind in [*report_kinds, *notification_kinds])


def _job_ended_listeners(*notifications: JobEndedListener, metrics: JobMetrics) -> list[JobEndedListener]:
    """The engine's own listeners first (fan-in may end a parent), then notifications, then
    what only observes an end."""
    return [*ENGINE_LISTENERS, *notifications, CountEndedJobs(metrics)]


def _queue_depth(kinds: JobKinds) -> QueueDepth | None:
    """Every queue a message can go to: each kind's own, priority and bulk queues, and the engine's."""
    queues = {queue for kind in kinds for queue in (kind.queue, kind.priority_queue, kind.bulk_queue) if queue}
    queues |= {settings.CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return queue_depth_for(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS, queues)


def _admission(kinds: JobKinds) -> Admission:
    limits = ExecutionLimits(
        max_running=settings.USER_MAX_RUNNING,
        starts_per_minute=settings.USER_STARTS_PER_MINUTE,
        dispatch_window=settings.USER_DISPATCH_WINDOW,
    )
    return Admission(
        limits=SameLimitsForAll(limits),
        limited_kinds=kinds.names(owner_limits=True),
        unlimited_kinds=kinds.names(owner_limits=False),
    )


def _blobs(files: BlobStore) -> BlobStore:
    return SmallBlobsInDatabase(files, limit=settings.DATABASE_DOCUMENTS_BYTES)


class Container(containers.DeclarativeContainer):
    clock = providers.Singleton(SystemClock)
    uow = providers.Factory(DjangoUnitOfWork)
    files = providers.Singleton(DjangoBlobStore)  # uploads: workers read them from a local path
    blobs = providers.Factory(_blobs, files=files)  # documents too, small ones in the database
    report_engine = providers.Singleton(_report_engine)
    intake = providers.Singleton(_intake)
    rate_counter = providers.Singleton(_rate_counter)
    submit_rate_limits = providers.Singleton(_submit_rate_limits, counter=rate_counter)
    processing = providers.Singleton(_processing)
    job_settings = providers.Singleton(_job_settings)
    heartbeat = providers.Singleton(
        DjangoHeartbeat, clock=clock, check_seconds=settings.CANCEL_CHECK_SECONDS, stopping=stopping_reason
    )

    notification_settings = providers.Singleton(_notification_settings)
    links = providers.Singleton(PublicLinks, base_url=settings.PUBLIC_BASE_URL)
    address_policy = providers.Singleton(AddressPolicy.allowing, settings.WEBHOOK_ALLOWED_NETWORKS)
    host_resolver = providers.Singleton(SocketHostResolver)
    destination_check = providers.Factory(DestinationCheck, resolver=host_resolver, policy=address_policy)
    webhook_sender = providers.Singleton(
        MeteredWebhookSender,
        providers.Singleton(
            HttpxWebhookSender,
            connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.WEBHOOK_READ_TIMEOUT_SECONDS,
        ),
    )
    webhook_signer = providers.Singleton(StandardWebhooksSigner)
    mailer = providers.Singleton(DjangoMailer, from_email=settings.DEFAULT_FROM_EMAIL)

    process_report_handler = providers.Factory(
        ProcessReportHandler, blobs=blobs, engine=report_engine, processing=processing
    )
    process_chunk_handler = providers.Factory(ProcessChunkHandler, blobs=blobs, engine=report_engine)
    merge_report_handler = providers.Factory(MergeReportHandler, blobs=blobs, engine=report_engine)
    deliver_webhook_handler = providers.Factory(
        DeliverWebhookHandler,
        uow=uow,
        check=destination_check,
        signer=webhook_signer,
        sender=webhook_sender,
        clock=clock,
        settings=notification_settings,
    )
    send_email_handler = providers.Factory(SendEmailHandler, mailer=mailer, settings=notification_settings)
    job_kinds = providers.Singleton(
        _job_kinds,
        process_report=process_report_handler.provider,
        process_chunk=process_chunk_handler.provider,
        merge_report=merge_report_handler.provider,
        deliver_webhook=deliver_webhook_handler.provider,
        send_email=send_email_handler.provider,
    )
    task_queue = providers.Singleton(CeleryTaskQueue, app=celery_app, kinds=job_kinds)
    background = providers.Singleton(background_for_database)
    outbox_dispatcher = providers.Factory(
        OutboxDispatcher,
        uow=uow,
        marks=providers.Singleton(DjangoPublishedMarks),
        queue=task_queue,
        clock=clock,
        background=background,
    )
    job_metrics = providers.Singleton(PrometheusJobMetrics)
    job_ended_listeners = providers.Singleton(
        _job_ended_listeners,
        providers.Factory(NotifyJobEnded, links=links),
        providers.Factory(CountFailedDeliveries, settings=notification_settings),
        metrics=job_metrics,
    )
    admission = providers.Singleton(_admission, kinds=job_kinds)
    transitions = providers.Factory(
        JobTransitions,
        kinds=job_kinds,
        on_job_ended=job_ended_listeners,
        dispatcher=outbox_dispatcher,
        admission=admission,
        correlation=providers.Object(correlation.current),
    )
    attempt_pipeline = providers.Factory(
        AttemptPipeline,
        uow=uow,
        heartbeat=heartbeat,
        transitions=transitions,
        clock=clock,
        settings=job_settings,
        time_limit_errors=(SoftTimeLimitExceeded,),
    )
    quotas = providers.Singleton(_quotas)
    submission_usage = providers.Singleton(DjangoSubmissionUsage, kinds=[REPORT_JOB_KIND])
    submit_report = providers.Factory(
        SubmitReportHandler,
        quotas=quotas,
        usage=submission_usage,
        uow=uow,
        blobs=files,
        transitions=transitions,
        clock=clock,
        intake=intake,
        settings=job_settings,
        report_engine=report_engine,
        metrics=job_metrics,
    )
    cancel_job = providers.Factory(CancelJobHandler, uow=uow, transitions=transitions, clock=clock)
    replay_job = providers.Factory(ReplayJobHandler, uow=uow, transitions=transitions, clock=clock)
    taken_deliveries = providers.Singleton(_taken_deliveries, kinds=job_kinds)
    reconcile_jobs = providers.Factory(
        ReconcileJobsHandler,
        uow=uow,
        transitions=transitions,
        clock=clock,
        settings=job_settings,
        taken=taken_deliveries,
    )
    dispatch_waiting = providers.Factory(DispatchWaitingJobsHandler, uow=uow, transitions=transitions, clock=clock)
    purge_expired = providers.Factory(PurgeExpiredHandler, uow=uow, clock=clock)
    record_dead_message = providers.Factory(RecordDeadMessageHandler, uow=uow, clock=clock)
    get_job = providers.Factory(GetJobHandler, uow=uow)
    get_job_events = providers.Factory(GetJobEventsHandler, uow=uow)
    list_jobs = providers.Factory(ListJobsHandler, uow=uow)
    list_dead_letters = providers.Factory(ListDeadLettersHandler, uow=uow)
    get_report = providers.Factory(GetReportHandler, uow=uow)
    get_report_document = providers.Factory(GetReportDocumentHandler, uow=uow, blobs=blobs)
    delete_report = providers.Factory(DeleteReportHandler, uow=uow, blobs=blobs, clock=clock)
    retention = providers.Singleton(_retention)
    apply_retention = providers.Factory(ApplyRetentionHandler, uow=uow, blobs=blobs, clock=clock, retention=retention)
    engine_statistics = providers.Singleton(DjangoEngineStatistics)
    read_engine_gauges = providers.Factory(ReadEngineGaugesHandler, statistics=engine_statistics, clock=clock)
    queue_depth = providers.Singleton(_queue_depth, kinds=job_kinds)

    schedule_clock = providers.Singleton(_schedule_clock)
    scheduler_settings = providers.Singleton(_scheduler_settings)
    create_schedule = providers.Factory(CreateScheduleHandler, uow=uow, clock=schedule_clock)
    change_schedule = providers.Factory(ChangeScheduleHandler, uow=uow, clock=schedule_clock)
    delete_schedule = providers.Factory(DeleteScheduleHandler, uow=uow)
    get_schedule = providers.Factory(GetScheduleHandler, uow=uow)
    list_schedules = providers.Factory(ListSchedulesHandler, uow=uow)
    list_schedule_runs = providers.Factory(ListScheduleRunsHandler, uow=uow)
    fire_schedules = providers.Factory(
        FireSchedulesHandler,
        uow=uow,
        transitions=transitions,
        blobs=blobs,
        clock=clock,
        schedule_clock=schedule_clock,
        settings=scheduler_settings,
    )
    claim_scheduler_lease = providers.Factory(
        ClaimSchedulerLeaseHandler, uow=uow, clock=clock, settings=scheduler_settings
    )
    release_scheduler_lease = providers.Factory(ReleaseSchedulerLeaseHandler, uow=uow, clock=clock)
    create_webhook = providers.Factory(
        CreateWebhookEndpointHandler, uow=uow, check=destination_check, clock=clock, settings=notification_settings
    )
    change_webhook = providers.Factory(ChangeWebhookEndpointHandler, uow=uow, check=destination_check, clock=clock)
    delete_webhook = providers.Factory(DeleteWebhookEndpointHandler, uow=uow)
    get_webhook = providers.Factory(GetWebhookEndpointHandler, uow=uow)
    list_webhooks = providers.Factory(ListWebhookEndpointsHandler, uow=uow)
    rotate_webhook_secret = providers.Factory(
        RotateWebhookSecretHandler, uow=uow, clock=clock, settings=notification_settings
    )
    list_webhook_deliveries = providers.Factory(ListWebhookDeliveriesHandler, uow=uow)
    get_webhook_delivery = providers.Factory(GetWebhookDeliveryHandler, uow=uow)
    redeliver_webhook = providers.Factory(RedeliverHandler, uow=uow, transitions=transitions, clock=clock)
    send_test_webhook = providers.Factory(SendTestEventHandler, uow=uow, transitions=transitions, clock=clock)
    get_email_preferences = providers.Factory(GetEmailPreferencesHandler, uow=uow)
    change_email_preferences = providers.Factory(ChangeEmailPreferencesHandler, uow=uow)


container = Container()
