"""A stopping worker hands its running attempts back instead of leaving them to lease expiry.

A warm shutdown (SIGTERM to the worker's main process, as systemd or supervisord send it)
makes the main process signal its pool children with a real-time signal (billiard turns
SIGUSR1/SIGUSR2 and the other usual ones into "exit now" in pool children). A SIGTERM to the whole process
group (a container runtime, systemd's default control-group kill) reaches the children
directly: while a child runs a task it takes SIGTERM the same way, instead of exiting in the
middle of it. Either way the running attempt sees `STOPPING` at its next checkpoint, hands its
job back to the queue and ends its task normally, and the child then exits with the pool.
"""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType
from typing import Any

from celery import signals

logger = logging.getLogger(__name__)
HAND_BACK_SIGNAL = signal.SIGRTMIN + 4  # not in billiard's set of terminating signals


class WorkerStopping:
    """Set once the worker this process belongs to is stopping; read at every checkpoint."""

    def __init__(self) -> None:
        self._reason = ""

    def request(self, reason: str) -> None:
        self._reason = reason

    def reason(self) -> str:
        return self._reason


STOPPING = WorkerStopping()


def stopping_reason() -> str:
    """Why this process's worker is stopping ("" while it is not). A plain function, so it can
    be injected (the container deep-copies the values it is given: a bound method would bring
    a copy of STOPPING that no signal ever sets)."""
    return STOPPING.reason()


_in_pool_child = False
_worker: Any = None
_outer_sigterm: Any = None


def _hand_back(signum: int, frame: FrameType | None) -> None:
    name = "SIGTERM" if signum == signal.SIGTERM else "warm shutdown"
    STOPPING.request(f"the worker is stopping ({name})")


@signals.worker_process_init.connect
def _pool_child_started(**_: Any) -> None:
    global _in_pool_child
    _in_pool_child = True
    signal.signal(HAND_BACK_SIGNAL, _hand_back)


@signals.task_prerun.connect
def _task_started(**_: Any) -> None:
    """While a pool child runs a task, SIGTERM asks the attempt to hand back; otherwise it
    would exit at once in the middle of the work (billiard's handler)."""
    global _outer_sigterm
    if _in_pool_child:
        _outer_sigterm = signal.signal(signal.SIGTERM, _hand_back)


@signals.task_postrun.connect
def _task_ended(**_: Any) -> None:
    global _outer_sigterm
    if _in_pool_child and _outer_sigterm is not None:
        signal.signal(signal.SIGTERM, _outer_sigterm)
        _outer_sigterm = None


@signals.worker_init.connect
def _worker_started(sender: Any = None, **_: Any) -> None:
    global _worker
    _worker = sender
    # A real-time signal kills a process that has no handler for it: pool children inherit
    # "ignore" from here until they install their handler (a warm shutdown can come that early).
    signal.signal(HAND_BACK_SIGNAL, signal.SIG_IGN)


@signals.worker_shutting_down.connect
def _worker_stopping(how: str = "", **_: Any) -> None:
    """In the main process: a warm shutdown tells the pool children to hand back at once."""
    if how != "Warm":
        return
    pids = _pool_pids()
    logger.info("warm shutdown: %d pool processes hand their running attempts back", len(pids))
    for pid in pids:
        try:
            os.kill(pid, HAND_BACK_SIGNAL)
        except ProcessLookupError:
            continue
    STOPPING.request("the worker is stopping")  # a solo or threads pool runs tasks in this process


def _pool_pids() -> list[int]:
    pool = getattr(getattr(_worker, "pool", None), "_pool", None)
    processes = getattr(pool, "_pool", None) or []
    return [process.pid for process in processes if getattr(process, "pid", None)]
