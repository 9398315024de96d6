"""The job-kind registry: for each kind, its task, queue, attempt budget, time limits and handler.

A kind is one entry here plus one handler. The container builds the registry; the attempt
pipeline, the task queue, the Celery tasks and the tests all read it, so the mapping from a
kind to how it runs exists once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.job import Job
from domain.ports import Checkpoint, UnitOfWork

NORMAL_PRIORITY = 0
HIGH_PRIORITY = 10
PRIORITIES = {"normal": NORMAL_PRIORITY, "high": HIGH_PRIORITY}

Loaded = TypeVar("Loaded")
Done = TypeVar("Done")


class JobKind(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    task: str = Field(min_length=1)  # the stable Celery task name its deliveries carry
    queue: str = Field(min_length=1)
    # routing: a high-priority job goes to `priority_queue`, one whose input is larger than
    # `bulk_above_bytes` to `bulk_queue`, any other to `queue`
    priority_queue: str | None = None
    bulk_queue: str | None = None
    bulk_above_bytes: int | None = Field(default=None, ge=0)
    max_attempts: int = Field(ge=1)
    # The soft limit ends a running attempt as a transient error; the hard limit kills the
    # process and the lease brings the job back. Both stay below the broker's visibility timeout.
    soft_time_limit_seconds: float | None = Field(default=None, gt=0)
    time_limit_seconds: float | None = Field(default=None, gt=0)
    # the kind of the job that the last successful child of a fanned-out job of this kind starts
    fan_in_kind: str | None = None
    # whether its owner's execution limits (running, starts per minute) apply to it; the
    # engine's own short deliveries (notifications) are exempt
    owner_limits: bool = True

    @model_validator(mode="after")
    def _soft_below_hard(self) -> JobKind:
        soft, hard = self.soft_time_limit_seconds, self.time_limit_seconds
        if soft is not None and hard is not None and soft >= hard:
            raise ValueError(f"{self.name}: the soft time limit must be below the hard one")
        return self


class Recording(Protocol):
    """What a handler's `record` step may do inside the finishing transaction."""

    uow: UnitOfWork
    now: datetime
    actor: str

    def add(self, job: Job) -> None:
        """Insert a new job and schedule its first delivery."""

    def new_job(self, kind: str, *, parent: Job, payload: dict[str, Any] | None = None) -> Job:
        """A child of `parent` of `kind`, on the parent's queue, inserted and scheduled."""


class JobHandler(Protocol[Loaded, Done]):
    """The three steps of one attempt of a kind; the pipeline runs them in this order."""

    def load(self, uow: UnitOfWork, job: Job) -> Loaded:
        """Inside the claim transaction: read what the work needs. Raises PermanentError when
        it is gone, which fails the job at once."""

    def runs_briefly(self, job: Job, loaded: Loaded) -> bool:
        """Whether this attempt's work is short enough to run inside the claim's transaction,
        holding its job's row lock, its start committed with its end (a brief attempt, see
        application.jobs.pipeline); its work must then use no database and have no effect
        outside it. Asked of a first delivery only."""

    def work(self, job: Job, loaded: Loaded, checkpoint: Checkpoint) -> Done:
        """Outside any transaction; calls `checkpoint` often. Raises JobError subclasses."""

    def record(self, recording: Recording, job: Job, loaded: Loaded, done: Done) -> None:
        """Inside the finishing transaction: store what the work produced and move `job` on
        (succeed, or fan out into children)."""


class UnknownJobKind(LookupError):
    def __init__(self, what: str) -> None:
        super().__init__(f"no job kind {what!r} is registered")


class JobKinds:
    """Every registered kind with the factory of its handler (called per attempt, so what the
    handler is built from can be configured, or overridden in tests, after the registry)."""

    def __init__(self, entries: Iterable[tuple[JobKind, Callable[[], JobHandler[Any, Any]]]]) -> None:
        self._kinds: dict[str, JobKind] = {}
        self._handler_factories: dict[str, Callable[[], JobHandler[Any, Any]]] = {}
        for kind, factory in entries:
            if kind.name in self._kinds:
                raise ValueError(f"job kind {kind.name!r} is registered twice")
            self._kinds[kind.name] = kind
            self._handler_factories[kind.name] = factory
        tasks = [kind.task for kind in self._kinds.values()]
        if len(set(tasks)) != len(tasks):
            raise ValueError("two job kinds share a task name")

    def __iter__(self) -> Iterator[JobKind]:
        return iter(self._kinds.values())

    def kind(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownJobKind(name) from None

    def route(self, name: str, *, size_bytes: int = 0, priority: int = NORMAL_PRIORITY) -> str:
        """The queue a new job of kind `name` goes to: by priority first, then by size."""
        kind = self.kind(name)
        if priority >= HIGH_PRIORITY and kind.priority_queue:
            return kind.priority_queue
        if kind.bulk_queue and kind.bulk_above_bytes is not None and size_bytes > kind.bulk_above_bytes:
            return kind.bulk_queue
        return kind.queue

    def names(self, *, owner_limits: bool) -> list[str]:
        """The kinds that owner limits apply to (or not)."""
        return [kind.name for kind in self._kinds.values() if kind.owner_limits is owner_limits]

    def handler(self, name: str) -> JobHandler[Any, Any]:
        return self._handler_factories[self.kind(name).name]()

    def create(
        self,
        name: str,
        *,
        owner_id: int,
        now: datetime,
        actor: str,
        queue: str | None = None,
        parent: Job | None = None,
        payload: dict[str, Any] | None = None,
        priority: int = 0,
    ) -> Job:
        """A new job of kind `name`: the kind's attempt budget, on `queue` or the kind's queue."""
        kind = self.kind(name)
        return Job.create(
            id=uuid.uuid4(),
            kind=kind.name,
            owner_id=owner_id,
            queue=queue or kind.queue,
            max_attempts=kind.max_attempts,
            now=now,
            actor=actor,
            parent_id=parent.id if parent else None,
            payload=payload,
            priority=priority,
        )
