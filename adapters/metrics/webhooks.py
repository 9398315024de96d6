"""Webhook deliveries by what came back. The sender calls `observe_webhook_exchange` once per
HTTP request it made (an attempt really happened, whatever becomes of its job)."""

from __future__ import annotations

from adapters.metrics.definitions import WEBHOOK_DELIVERIES, WEBHOOK_SECONDS

GONE = 410


def webhook_outcome(status: int | None) -> str:
    """A bounded label for an answer: no_answer, success, redirect, gone, client_error,
    server_error or other."""
    if status is None:
        return "no_answer"
    if status == GONE:
        return "gone"
    classes = {2: "success", 3: "redirect", 4: "client_error", 5: "server_error"}
    return classes.get(status // 100, "other")


def observe_webhook_exchange(*, status: int | None, latency_ms: float) -> None:
    """Count one webhook request: its HTTP status (None when nothing came back) and how long it took."""
    WEBHOOK_DELIVERIES.labels(outcome=webhook_outcome(status)).inc()
    WEBHOOK_SECONDS.observe(max(latency_ms, 0) / 1000)
