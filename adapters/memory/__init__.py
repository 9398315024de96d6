"""In-memory adapters for every port, for unit tests of use cases (no Django, no Celery)."""

from adapters.memory.blob_store import InMemoryBlobStore
from adapters.memory.clock import FixedClock
from adapters.memory.heartbeat import InMemoryHeartbeat
from adapters.memory.repositories import InMemoryJobRepository, InMemoryReportRepository, InMemoryState
from adapters.memory.task_queue import InMemoryTaskQueue
from adapters.memory.unit_of_work import InMemoryUnitOfWork

__all__ = [
    "FixedClock",
    "InMemoryBlobStore",
    "InMemoryHeartbeat",
    "InMemoryJobRepository",
    "InMemoryReportRepository",
    "InMemoryState",
    "InMemoryTaskQueue",
    "InMemoryUnitOfWork",
]
