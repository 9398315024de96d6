"""What the inside needs from the outside world, as small Protocols that adapters satisfy."""

from domain.ports.blob_store import BlobStore, StoredBlob
from domain.ports.clock import Clock
from domain.ports.report_analyzer import ReportAnalyzer
from domain.ports.repositories import JobCursor, JobRepository, ReportRepository
from domain.ports.task_queue import Delivery, TaskQueue
from domain.ports.unit_of_work import UnitOfWork

__all__ = [
    "BlobStore",
    "Clock",
    "Delivery",
    "JobCursor",
    "JobRepository",
    "ReportAnalyzer",
    "ReportRepository",
    "StoredBlob",
    "TaskQueue",
    "UnitOfWork",
]
