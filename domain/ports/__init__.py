"""What the inside needs from the outside world, as small Protocols that adapters satisfy."""

from domain.ports.background import AtOnce, Background
from domain.ports.blob_store import BlobStore, StoredBlob
from domain.ports.clock import Clock
from domain.ports.dead_messages import DeadMessageRepository
from domain.ports.heartbeat import Heartbeat, Lease
from domain.ports.idempotency import IdempotencyRecord, IdempotencyRepository
from domain.ports.notifications import (
    EmailPreferencesRepository,
    NotificationEventRepository,
    NotificationTargets,
    NotificationTargetsReader,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)
from domain.ports.outbox import OutboxEntry, OutboxRepository, PublishedMarks
from domain.ports.report_engine import Checkpoint, ReportEngine, no_checkpoint
from domain.ports.repositories import (
    DispatchLoad,
    JobCursor,
    JobRepository,
    ReportRepository,
    StartBucketRepository,
)
from domain.ports.schedules import ScheduledRun, ScheduleRepository, SchedulerLeaseRepository
from domain.ports.task_queue import (
    Delivery,
    NoTakenDeliveries,
    QueueUnavailable,
    TakenDeliveries,
    TakenDelivery,
    TaskQueue,
)
from domain.ports.unit_of_work import UnitOfWork

__all__ = [
    "AtOnce",
    "Background",
    "BlobStore",
    "Checkpoint",
    "Clock",
    "DeadMessageRepository",
    "Delivery",
    "DispatchLoad",
    "EmailPreferencesRepository",
    "Heartbeat",
    "IdempotencyRecord",
    "IdempotencyRepository",
    "JobCursor",
    "JobRepository",
    "Lease",
    "NoTakenDeliveries",
    "NotificationEventRepository",
    "NotificationTargets",
    "NotificationTargetsReader",
    "OutboxEntry",
    "OutboxRepository",
    "PublishedMarks",
    "QueueUnavailable",
    "ReportEngine",
    "ReportRepository",
    "ScheduleRepository",
    "ScheduledRun",
    "SchedulerLeaseRepository",
    "StartBucketRepository",
    "StoredBlob",
    "TakenDeliveries",
    "TakenDelivery",
    "TaskQueue",
    "UnitOfWork",
    "WebhookDeliveryRepository",
    "WebhookEndpointRepository",
    "no_checkpoint",
]
