"""Webhook deliveries by what came back. The sender calls `observe_webhook_exchange` once per
HTTP request it made (an attempt really happened, whatever becomes of its job)."""

from __future__ import annotations

from typing import Any, Protocol

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


class Exchange(Protocol):
    status: int | None
    latency_ms: float


class Sender(Protocol):
    def send(self, request: Any) -> Exchange: ...


class MeteredWebhookSender:
    """A webhook sender that counts every exchange it makes (the notifications' port, wrapped)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    def send(self, request: Any) -> Exchange:
        exchange = self._sender.send(request)
        observe_webhook_exchange(status=exchange.status, latency_ms=exchange.latency_ms)
        return exchange
