"""Checkpoints: how a caller follows progress and stops the work (same shape as the domain's port).

The work runs in a thread of its own; the caller's thread only waits for it and calls the
checkpoint: with the share done whenever the work reports one (after every batch), and with
None whenever `TICK_SECONDS` pass without a report. The gap between two calls is therefore
about `TICK_SECONDS`, whatever the work is doing (parsing a block, loading a sheet, merging).
What the checkpoint raises (the domain's AttemptAborted) propagates at once; the work stops at
its next `tick()` (between columns, blocks and rules) and its thread ends on its own.

Small work (a file of one block, a rendering that ticks after every column) runs `inline`, in
the caller's thread: a thread hand-off would cost more than the work. There the checkpoint is
called from `report()` with every share, and from `tick()` once `TICK_SECONDS` passed since the
last call; what it raises propagates from inside the work, which it stops at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import TypeVar

# Called with the share of the chunk done (None when unknown).
Checkpoint = Callable[[float | None], None]
Tick = Callable[[], None]
T = TypeVar("T")

TICK_SECONDS = 0.05


def no_checkpoint(progress: float | None = None) -> None:
    return None


def no_tick() -> None:
    return None


class Abandoned(Exception):
    """Raised inside the work once its caller stopped waiting for it."""


class Progress:
    """What the work hands its caller: shares done, and a way to learn that it was abandoned."""

    __slots__ = ("_abandoned", "_shares")

    def __init__(self) -> None:
        self._shares: SimpleQueue[tuple[str, object]] = SimpleQueue()
        self._abandoned = threading.Event()

    def report(self, share: float | None) -> None:
        self.tick()
        self._shares.put(("share", share))

    def tick(self) -> None:
        """Raises Abandoned once the caller stopped waiting."""
        if self._abandoned.is_set():
            raise Abandoned

    def _abandon(self) -> None:
        self._abandoned.set()

    def _end(self) -> None:
        self._shares.put(("end", None))

    def _next(self) -> tuple[str, float | None]:
        """The next report, or ("tick", None) when none came within TICK_SECONDS."""
        try:
            kind, share = self._shares.get(timeout=TICK_SECONDS)
        except Empty:
            return "tick", None
        return kind, share  # type: ignore[return-value]


class _InlineProgress(Progress):
    """Progress of work running in the caller's thread: it calls the checkpoint itself."""

    __slots__ = ("_checkpoint", "_last")

    def __init__(self, checkpoint: Checkpoint) -> None:
        super().__init__()
        self._checkpoint = checkpoint
        self._last = time.monotonic()

    def report(self, share: float | None) -> None:
        self._last = time.monotonic()
        self._checkpoint(share)

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._last >= TICK_SECONDS:
            self._last = now
            self._checkpoint(None)


def supervised(work: Callable[[Progress], T], checkpoint: Checkpoint, *, inline: bool = False) -> T:
    """Run `work` in a thread of its own, calling `checkpoint` from this thread, or with `inline`
    in this thread, which then calls `checkpoint` from the work's reports and ticks (see the
    module doc)."""
    if inline:
        return work(_InlineProgress(checkpoint))
    progress = Progress()
    outcome: list[tuple[str, object]] = []

    def run() -> None:
        try:
            outcome.append(("value", work(progress)))
        except BaseException as exc:  # handed over to the caller, which raises it
            outcome.append(("error", exc))
        finally:
            progress._end()

    threading.Thread(target=run, name="report-engine-work", daemon=True).start()
    try:
        while (report := progress._next())[0] != "end":
            checkpoint(report[1])
    except BaseException:
        progress._abandon()
        raise
    kind, value = outcome[0]
    if kind == "error":
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]
