"""Every line, structlog's or a library's through stdlib logging, comes out in one shape."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from adapters.observability import logs


def capture(log_format: logs.LogFormat) -> tuple[logging.Logger, io.StringIO]:
    options: dict[str, Any] = dict(logs.formatter(log_format))
    formatter = options.pop("()")(**options)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"tests.observability.{log_format}")
    logger.handlers, logger.propagate, logger.level = [handler], False, logging.INFO
    return logger, stream


@pytest.fixture(autouse=True)
def _structlog() -> Iterator[None]:
    logs.configure(log_format="json", level="INFO")
    yield
    structlog.contextvars.clear_contextvars()
    logs.configure(log_format="json", level="INFO")  # on stderr again, not a test's stream


def ours(log_format: logs.LogFormat, name: str, *, level: str = "INFO") -> tuple[Any, io.StringIO]:
    """A logger of ours (structlog's, rendered by structlog) writing to a stream of its own."""
    stream = io.StringIO()
    logs.configure(log_format=log_format, level=level, stream=stream)
    return logs.get_logger(name), stream


def test_json_lines_carry_the_bound_context_whether_structlog_or_stdlib_wrote_them() -> None:
    stdlib, stream = capture("json")
    logger, our_stream = ours("json", stdlib.name)
    structlog.contextvars.bind_contextvars(request_id="req-1", job_id="j-1")

    logger.info("attempt ended", outcome="succeeded")
    stdlib.warning("heartbeat of job %s failed", "j-1")

    [mine] = [json.loads(line) for line in our_stream.getvalue().splitlines()]
    [theirs] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert mine["event"] == "attempt ended" and mine["outcome"] == "succeeded"
    assert theirs["event"] == "heartbeat of job j-1 failed"
    assert set(mine) - {"outcome"} == set(theirs), "both kinds of line have the same fields"
    for line, level in ((mine, "info"), (theirs, "warning")):
        assert (line["request_id"], line["job_id"], line["level"], line["logger"]) == (
            "req-1",
            "j-1",
            level,
            stdlib.name,
        )
        assert line["timestamp"].endswith("Z")


def test_our_lines_below_the_level_are_dropped_and_an_exception_is_one_line() -> None:
    logger, stream = ours("json", "tests.observability.level", level="WARNING")

    logger.info("not said")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("it failed")

    [line] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["event"] == "it failed" and "RuntimeError: boom" in line["exception"]


def test_our_lines_go_to_the_stderr_the_process_started_with_not_a_swapped_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started_with, swapped = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "__stderr__", started_with)
    monkeypatch.setattr(sys, "stderr", swapped)  # as a Celery worker's proxy that logs what is written
    logs.configure(log_format="json", level="INFO")

    logs.get_logger("tests.observability.stderr").info("attempt started")

    assert json.loads(started_with.getvalue())["event"] == "attempt started"
    assert swapped.getvalue() == ""


def test_an_exception_is_one_json_line_with_its_traceback() -> None:
    stdlib, stream = capture("json")

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        stdlib.exception("it failed")

    [line] = stream.getvalue().splitlines()
    assert "RuntimeError: boom" in json.loads(line)["exception"]


def test_console_lines_are_readable_key_values() -> None:
    logger, stream = ours("console", "tests.observability.console")
    structlog.contextvars.bind_contextvars(request_id="req-2")

    logger.info("request", status=202)

    line = stream.getvalue()
    assert "request" in line and "status=202" in line and "request_id=req-2" in line
    assert not line.lstrip().startswith("{")


def test_celery_per_task_lines_and_beat_ticks_are_quiet_but_failures_are_not() -> None:
    config = logs.configure(log_format="json", level="INFO")

    for name in ("celery.app.trace", "celery.worker.strategy", "celery.worker.request"):
        assert config["loggers"][name]["level"] == "WARNING"


@pytest.mark.parametrize(
    ("entry", "task", "kept"),
    [
        ("relay-outbox", "jobs.relay_outbox", False),
        ("reconcile-jobs", "jobs.reconcile", False),
        ("fire-schedules", "schedules.fire", True),
        ("housekeeping", "jobs.housekeeping", True),
    ],
)
def test_beat_says_nothing_of_the_relay_and_reconciler_ticks(entry: str, task: str, kept: bool) -> None:
    record = logging.LogRecord(
        "celery.beat", logging.INFO, __file__, 1, "Scheduler: Sending due task %s (%s)", (entry, task), None
    )

    assert logs.QuietBeatTicks().filter(record) is kept
    assert logs.QuietBeatTicks().filter(
        logging.LogRecord("celery.beat", logging.INFO, "", 1, "beat: Starting...", (), None)
    )
