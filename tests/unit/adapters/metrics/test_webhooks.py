"""Webhook requests are counted by a bounded outcome, with their latency."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from adapters.metrics.webhooks import MeteredWebhookSender, observe_webhook_exchange, webhook_outcome


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (None, "no_answer"),
        (200, "success"),
        (204, "success"),
        (301, "redirect"),
        (410, "gone"),
        (404, "client_error"),
        (429, "client_error"),
        (500, "server_error"),
        (503, "server_error"),
        (102, "other"),
        (799, "other"),
    ],
)
def test_an_answer_maps_to_a_bounded_outcome(status: int | None, outcome: str) -> None:
    assert webhook_outcome(status) == outcome


def test_an_exchange_is_counted_with_its_latency() -> None:
    def read() -> tuple[float, float, float]:
        return (
            REGISTRY.get_sample_value("reportflow_webhook_deliveries_total", {"outcome": "server_error"}) or 0.0,
            REGISTRY.get_sample_value("reportflow_webhook_delivery_seconds_count") or 0.0,
            REGISTRY.get_sample_value("reportflow_webhook_delivery_seconds_sum") or 0.0,
        )

    before = read()
    observe_webhook_exchange(status=502, latency_ms=250)
    after = read()

    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    assert after[2] - before[2] == pytest.approx(0.25)


def test_the_metered_sender_counts_every_exchange_of_the_sender_it_wraps() -> None:
    class Answered:
        status, latency_ms = 204, 12.0

    class Sender:
        def send(self, request: object) -> Answered:
            return Answered()

    def successes() -> float:
        return REGISTRY.get_sample_value("reportflow_webhook_deliveries_total", {"outcome": "success"}) or 0.0

    before = successes()
    exchange = MeteredWebhookSender(Sender()).send(object())

    assert exchange.status == 204
    assert successes() - before == 1
