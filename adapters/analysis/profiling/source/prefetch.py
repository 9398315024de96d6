"""Read the next batch in a background thread while the current one is profiled."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
_POLL_SECONDS = 0.02
# A reader stopped in the middle of a long native call (a sheet being loaded) is not waited
# for: it ends on its own once the call returns, and the consumer is free at once.
_JOIN_SECONDS = 0.1


def _nothing() -> None:
    return None


def prefetched(items: Iterator[T], *, depth: int = 1, on_wait: Callable[[], None] = _nothing) -> Iterator[T]:
    """Yield the items of `items`, produced up to `depth` ahead by a reader thread.

    The reader's exceptions are raised here; stopping early stops (and closes) the reader.
    While the consumer waits for an item, `on_wait` is called every few hundredths of a
    second in the consumer's thread; what it raises stops the reader and propagates.
    Memory grows by `depth` items at most, which is what bounds it.
    """
    queue: Queue[tuple[str, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def offer(message: tuple[str, object]) -> bool:
        while not stop.is_set():
            try:
                queue.put(message, timeout=_POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(("item", item)):
                    return
            offer(("end", None))
        except BaseException as exc:  # handed over to the consumer, which raises it
            offer(("error", exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=produce, name="report-engine-reader", daemon=True)
    reader.start()
    try:
        while True:
            try:
                kind, value = queue.get(timeout=_POLL_SECONDS)
            except Empty:
                if not reader.is_alive() and queue.empty():
                    return
                on_wait()
                continue
            if kind == "error":
                raise value  # type: ignore[misc]
            if kind == "end":
                return
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        reader.join(timeout=_JOIN_SECONDS)
