"""What a job shows to a client who is not staff: no traceback, no worker host, no server path.

Staff see a job as it is recorded. Everyone else sees the error's message with the worker
names, server paths, URLs and network addresses in it replaced, and an event's worker actor
without its host. The traceback stays in the job's record, for staff.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from application import actors

REDACTED = "[redacted]"

_WORKER_PREFIX = actors.worker("")
_INTERNALS = [
    # a URL names a host (an object store, a database, an internal service)
    re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE),
    # a Celery node name is always name@host (an e-mail address goes too)
    re.compile(r"[\w.-]+@[\w-]+(?:\.[\w-]+)*"),
    # an absolute path with at least two parts (a URL's path was replaced above)
    re.compile(r"(?<![\w.:/@-])/(?:[^\s/'\"`:,;()\[\]<>]+/)+[^\s/'\"`:,;()\[\]<>]*"),
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"),  # an IPv4 address, with its port
]


def worker_of(actor: str) -> str | None:
    """The worker named by an actor like "worker:celery@host", or None for users and the system."""
    return actor.removeprefix(_WORKER_PREFIX) if actor.startswith(_WORKER_PREFIX) else None


def client_actor(actor: str) -> str:
    """A worker actor without its host ("worker"); users and the system as they are."""
    return "worker" if worker_of(actor) is not None else actor


def client_text(text: str, *, workers: Iterable[str] = ()) -> str:
    """`text` with every known worker name, URL, node name, server path and address replaced."""
    for name in sorted({w for w in workers if w}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.@-]){re.escape(name)}(?![\w.@-])", REDACTED, text)
    for pattern in _INTERNALS:
        text = pattern.sub(REDACTED, text)
    return text


def client_data(data: Any, *, workers: Iterable[str] = ()) -> Any:
    """An event's data with client_text applied to every string in it."""
    names = tuple(workers)
    if isinstance(data, str):
        return client_text(data, workers=names)
    if isinstance(data, dict):
        return {key: client_data(value, workers=names) for key, value in data.items()}
    if isinstance(data, list):
        return [client_data(value, workers=names) for value in data]
    return data
