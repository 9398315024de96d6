from __future__ import annotations

import copy
from collections.abc import Callable
from types import TracebackType

from adapters.memory.repositories import InMemoryJobRepository, InMemoryReportRepository, InMemoryState


class InMemoryUnitOfWork:
    """Works on a copy of the state; commit publishes the copy, anything else discards it."""

    def __init__(self, state: InMemoryState | None = None) -> None:
        self.state = state or InMemoryState()
        self.commits = 0
        self.callback_errors: list[Exception] = []
        self._working: InMemoryState | None = None
        self._callbacks: list[Callable[[], None]] = []

    def __enter__(self) -> InMemoryUnitOfWork:
        if self._working is not None:
            raise RuntimeError("unit of work already open")
        self._working = copy.deepcopy(self.state)
        self._callbacks = []
        self.jobs = InMemoryJobRepository(self._working)
        self.reports = InMemoryReportRepository(self._working)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._working = None
        self._callbacks = []

    def commit(self) -> None:
        if self._working is None:
            raise RuntimeError("commit outside a unit of work")
        self.state.jobs, self.state.events, self.state.reports = (
            self._working.jobs,
            self._working.events,
            self._working.reports,
        )
        self._working = copy.deepcopy(self.state)
        self.jobs = InMemoryJobRepository(self._working)
        self.reports = InMemoryReportRepository(self._working)
        self.commits += 1
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            # like the Django unit of work: the commit stands even if the doorbell fails
            try:
                callback()
            except Exception as exc:
                self.callback_errors.append(exc)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)
