"""Tracing is off unless the standard OTEL_* variables ask for it, and costs nothing then."""

from __future__ import annotations

import pytest
import structlog

from adapters.observability import correlation, tracing


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "reportflow"}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_traces_are_on_only_when_the_otel_variables_ask_for_them(environ: dict[str, str], on: bool) -> None:
    assert tracing.requested(environ) is on


def test_off_a_job_keeps_only_the_request_id_and_a_publish_attaches_nothing() -> None:
    assert not tracing.enabled()
    structlog.contextvars.bind_contextvars(request_id="req-9")
    try:
        assert correlation.current() == {"request_id": "req-9"}
    finally:
        structlog.contextvars.clear_contextvars()
    with tracing.attached({"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}):
        pass


def test_an_unknown_exporter_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="zipkin"):
        tracing.configure(environ={"OTEL_TRACES_EXPORTER": "zipkin"})
    assert not tracing.enabled()
