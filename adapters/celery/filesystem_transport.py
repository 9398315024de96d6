"""kombu's filesystem transport, made safe for a producer and consumers in other processes.

kombu writes a message straight to its final name, so a consumer polling the folder can
read it half-written; here it is written under a temporary name and renamed into place.
A consumer claims a message by renaming it into the processed folder (atomic on the same
filesystem, so two consumers never both get it), reads it, then deletes it. The folders
are created at start-up so producer and consumer may start in any order.

A worker runs Celery's event loop and asynchronous prefork pool on it, as on Redis: the
loop looks in the folder on a timer. Without an event loop, Celery would fall back to
billiard's blocking pool, whose pool processes share one pipe behind one lock; a SIGTERM to
the worker's process group could kill an idle one holding that lock, and the worker then
hung at exit waiting for it (about 1 stop in 3).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for folder in (self.data_folder_in, self.data_folder_out, self.processed_folder, self.control_folder):
            Path(folder).mkdir(parents=True, exist_ok=True)
        self._staging = Path(self.processed_folder) / ".staging"
        self._staging.mkdir(exist_ok=True)

    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # Names sort by time, so consumers take messages roughly in the order they came.
        name = f"{time.time_ns() // 1000:017d}_{uuid.uuid4()}.{queue}.msg"
        staged = self._staging / name
        with open(staged, "wb") as handle:
            handle.write(str_to_bytes(dumps(message)))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staged, Path(self.data_folder_out) / name)

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        for name in sorted(os.listdir(self.data_folder_in)):
            if not _is_message_of(name, queue):
                continue
            claimed = Path(self.processed_folder) / name
            try:
                os.rename(Path(self.data_folder_in) / name, claimed)
            except FileNotFoundError:
                continue  # another consumer claimed it first
            try:
                payload = claimed.read_bytes()
            finally:
                claimed.unlink(missing_ok=True)
            return loads(bytes_to_str(payload))
        raise Empty()

    def _restore(self, message: Any) -> None:
        # A message given back (rejected to be requeued, e.g. after its worker was lost) says
        # it was delivered before, as kombu's Redis transport says it: its attempt then does
        # not run briefly (application.jobs.pipeline). kombu's version marks only the raw dict.
        message.delivery_info["redelivered"] = True
        message.headers["redelivered"] = True
        super()._restore(message)

    def _size(self, queue: str) -> int:
        return sum(1 for name in os.listdir(self.data_folder_in) if _is_message_of(name, queue))


def queue_sizes(folder: str | Path, queues: Iterable[str]) -> dict[str, int]:
    """How many messages wait in `folder` for each of `queues` (one listing of the folder)."""
    sizes = dict.fromkeys(queues, 0)
    for name in os.listdir(folder):
        queue = name.partition(".")[2].removesuffix(".msg")
        if queue in sizes and _is_message_of(name, queue):
            sizes[queue] += 1
    return sizes


def _is_message_of(name: str, queue: str) -> bool:
    return name.partition(".")[2] == f"{queue}.msg"


class Transport(filesystem.Transport):
    Channel = Channel
    implements = filesystem.Transport.implements.extend(asynchronous=True)

    def register_with_event_loop(self, connection: Any, loop: Any) -> None:
        loop.call_repeatedly(self.polling_interval, self._deliver_waiting, connection)

    def _deliver_waiting(self, connection: Any) -> None:
        """Hand the consumers what waits, as far as their prefetch allows."""
        while True:
            try:
                self.drain_events(connection, timeout=0)
            except TimeoutError:
                return
