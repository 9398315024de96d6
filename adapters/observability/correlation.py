"""What correlates a job with the request that caused it, read from the running context when
the job is created, and bound again around each task that works on it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

import structlog

from adapters.observability import tracing

# the keys a task message's headers may carry, and what their values may look like
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def current() -> dict[str, str]:
    """The request id bound for the request or task at hand, and its trace context when
    tracing is on; what a job created now keeps as its `correlation`."""
    correlation: dict[str, str] = {}
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        correlation["request_id"] = str(request_id)
    tracing.inject(correlation)
    return correlation


def audit_ids() -> dict[str, str]:
    """Who asked, for the audit trail: the request id and the API token's id (never the token)."""
    bound = structlog.contextvars.get_contextvars()
    return {key: str(bound[key]) for key in ("request_id", "token_id") if bound.get(key)}


def message_headers(correlation: Mapping[str, str]) -> dict[str, str]:
    """The task message headers of a delivery: its correlation, strings only."""
    return {key: value for key, value in correlation.items() if isinstance(value, str)}


@contextlib.contextmanager
def bound(headers: Mapping[str, Any] | None, **ids: Any) -> Iterator[None]:
    """Bind the ids of a task's message (request_id and user_id from its headers, validated;
    the job's ids passed in) to every log line until the task ends, then forget them."""
    context = {key: value for key, value in ids.items() if value is not None}
    for key in ("request_id", "user_id"):
        value = (headers or {}).get(key)
        if isinstance(value, str) and _SAFE.fullmatch(value):
            context[key] = value
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(**context)
    try:
        yield
    finally:
        structlog.contextvars.clear_contextvars()
