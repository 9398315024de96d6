"""OpenTelemetry traces, off unless the standard `OTEL_*` variables ask for them.

On (`OTEL_TRACES_EXPORTER` set to something other than `none`, or an
`OTEL_EXPORTER_OTLP_ENDPOINT`), Django requests, Celery publishes and tasks, psycopg queries
and httpx calls (webhooks) become spans, exported by OTLP over HTTP or to the console. The
trace of an upload reaches the worker although its task is published later, by the outbox
relay: the request's trace context is stored with the job (`correlation["traceparent"]`) and
made current again around the publish, whose message headers carry it on to the task.

Off, nothing here is imported beyond this module and no hook is installed: the cost is one
boolean test where a trace context would be read or attached.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

_enabled = False
# the engine's own periodic tasks start no trace of their own (one a second for the relay);
# a job's publish made by the relay still joins the job's trace
QUIET_TASKS = ("jobs.relay_outbox", "jobs.reconcile", "jobs.housekeeping", "schedules.fire")


def requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the OTEL_* variables ask for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def enabled() -> bool:
    return _enabled


def configure(*, environ: Mapping[str, str] = os.environ, exporter: Any = None) -> bool:
    """Install the tracer provider and the instrumentations once per process, when the
    environment asks for traces (or a test hands an `exporter`). Returns whether tracing is on."""
    global _enabled
    if _enabled:
        return True
    if exporter is None and not requested(environ):
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME") or "reportflow"}),
        sampler=_quiet_engine_sampler(),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        for each in _exporters(environ):
            provider.add_span_processor(BatchSpanProcessor(each))
    trace.set_tracer_provider(provider)
    _instrument()
    _enabled = True
    return True


def _exporters(environ: Mapping[str, str]) -> list[Any]:
    names = [n.strip().lower() for n in (environ.get("OTEL_TRACES_EXPORTER") or "otlp").split(",") if n.strip()]
    exporters: list[Any] = []
    for name in names:
        if name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter())
        elif name == "otlp":
            # reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT itself
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())
        elif name != "none":
            raise ValueError(f"OTEL_TRACES_EXPORTER: unsupported exporter {name!r} (otlp, console or none)")
    return exporters


def _instrument() -> None:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    DjangoInstrumentor().instrument()
    CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]
    PsycopgInstrumentor().instrument(enable_commenter=False)
    HTTPXClientInstrumentor().instrument()


def _quiet_engine_sampler() -> Any:
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision, ParentBased, Sampler, SamplingResult
    from opentelemetry.trace import get_current_span

    follow_parent = ParentBased(ALWAYS_ON)

    class QuietEngineSampler(Sampler):
        """The parent's decision, except that a periodic engine task starts no trace."""

        def should_sample(
            self, parent_context: Any, trace_id: int, name: str, *args: Any, **kwargs: Any
        ) -> SamplingResult:
            root = not get_current_span(parent_context).get_span_context().is_valid
            if root and name.split("/", 1)[-1] in QUIET_TASKS:
                return SamplingResult(Decision.DROP)
            return follow_parent.should_sample(parent_context, trace_id, name, *args, **kwargs)

        def get_description(self) -> str:
            return "QuietEngineSampler"

    return QuietEngineSampler()


def inject(carrier: dict[str, str]) -> None:
    """Add the current trace context (traceparent, tracestate) to `carrier`, when tracing is on."""
    if _enabled:
        from opentelemetry import propagate

        propagate.inject(carrier)


@contextlib.contextmanager
def attached(carrier: Mapping[str, str]) -> Iterator[None]:
    """Make the trace context stored in `carrier` current (a publish made later, by the relay,
    joins the trace of the request that caused it); nothing when tracing is off."""
    if not _enabled or "traceparent" not in carrier:
        yield
        return
    from opentelemetry import context, propagate

    token = context.attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        context.detach(token)


def stop() -> None:
    """Remove the instrumentation again (tests that turned tracing on for a while)."""
    global _enabled
    if not _enabled:
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    for instrumentor in (DjangoInstrumentor(), CeleryInstrumentor(), PsycopgInstrumentor(), HTTPXClientInstrumentor()):  # type: ignore[no-untyped-call]
        instrumentor.uninstrument()
    _enabled = False
