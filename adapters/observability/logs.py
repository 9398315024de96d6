"""Structured logs: every line, ours (structlog, rendered by structlog itself) or a library's
(stdlib logging: Django, Celery, gunicorn, rendered by structlog's formatter), comes out in one
shape: a JSON object a line in production, a readable line in development, with the context
bound for the request or task at hand (request_id, job_id, attempt, user_id, queue) merged in."""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal, TextIO

import structlog

LogFormat = Literal["json", "console"]


class QuietBeatTicks(logging.Filter):
    """Drops beat's "Sending due task" line for the ticks of the relay (every second) and the
    reconciler; the firing of schedules and housekeeping still say which beat sent them."""

    QUIET_TASKS = frozenset({"jobs.relay_outbox", "jobs.reconcile"})

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Scheduler: Sending due task"):
            return True
        return not (isinstance(record.args, tuple) and len(record.args) > 1 and record.args[1] in self.QUIET_TASKS)


def _django_request(logger: Any, method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """django.request's lines (a 4xx or 5xx, logged once the middleware has returned) name the
    request by its id and route, not by its repr."""
    request = event_dict.get("request")
    if request is not None and not isinstance(request, str):
        request_id = getattr(request, "request_id", None)
        if request_id:
            event_dict.setdefault("request_id", request_id)
        event_dict["request"] = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}"
    return event_dict


# stamped on every line, ours and the libraries'
_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    _django_request,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _renderer(log_format: LogFormat) -> list[Any]:
    if log_format == "json":
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    return [structlog.dev.ConsoleRenderer(colors=False)]


def formatter(log_format: LogFormat) -> dict[str, Any]:
    """The dictConfig entry of the one formatter every handler uses."""
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_renderer(log_format)],
        "foreign_pre_chain": _SHARED,
    }


class _NamedWriteLogger(structlog.WriteLogger):
    """Writes rendered lines to a stream, and knows its name (which add_logger_name reads)."""

    def __init__(self, file: TextIO, name: str) -> None:
        super().__init__(file)
        self.name = name


class _NamedWriteLoggerFactory:
    def __init__(self, file: TextIO) -> None:
        self._file = file

    def __call__(self, *args: Any) -> _NamedWriteLogger:
        return _NamedWriteLogger(self._file, str(args[0]) if args else "")


def get_logger(name: str) -> Any:
    """A structlog logger whose lines name `name` as their logger, as stdlib's lines do."""
    return structlog.get_logger(name)


def configure(*, log_format: LogFormat, level: str, stream: TextIO | None = None) -> dict[str, Any]:
    """Set structlog up to render its own lines on `stream` (the process's stderr), and return
    the LOGGING dict (Django's dictConfig) that renders the libraries' lines alike on stderr.

    Our lines (a request's, an attempt's start and end) do not go through stdlib logging: its
    record, the formatter's copy of it and the caller lookup cost twice the line itself, and
    more with cold caches, as an idle worker's first line of a job runs (measured here: 35 us
    a line against 75-100, and 280 against 540 after a 50 ms pause). The stream is the one the
    process started with: a Celery worker later swaps sys.stderr for a proxy that would log
    each line again, as a warning."""
    # changed in place: loggers cached on first use hold this list (structlog.testing does the same)
    chain = structlog.get_config()["processors"]
    chain[:] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        *_renderer(log_format),
    ]
    structlog.configure(
        processors=chain,
        logger_factory=_NamedWriteLoggerFactory(stream or sys.__stderr__ or sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(level.upper()),
        cache_logger_on_first_use=True,
    )
    handler = {"class": "logging.StreamHandler", "formatter": "structured"}
    quiet = {"level": "WARNING"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter(log_format)},
        "filters": {"quiet_beat_ticks": {"()": QuietBeatTicks}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # Celery's "Task ... received" / "... succeeded in" lines: every second for the
            # relay; a task logs its own start and outcome (adapters.celery.tasks). Failures
            # are still logged, at ERROR.
            "celery.app.trace": quiet,
            "celery.worker.strategy": quiet,
            # "Discarding revoked task" for every relay tick that expired while the worker
            # was busy or starting (time limits and rejections are still WARNING or ERROR)
            "celery.worker.request": quiet,
            "celery.beat": {"filters": ["quiet_beat_ticks"]},
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
