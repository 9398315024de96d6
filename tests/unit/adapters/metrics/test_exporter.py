"""The worker's metrics endpoint: the same guard as the web's /metrics, the text format."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.metrics import exporter
from adapters.metrics.jobs import count_reconciled


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    server = exporter.serve("127.0.0.1", 0, token=getattr(request, "param", ""))
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_loopback_scrape_reads_this_process_s_counts(endpoint: str) -> None:
    count_reconciled(leases_expired=0, redelivered=2)

    response = httpx.get(f"{endpoint}/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'reportflow_reconciler_actions_total{action="redelivered"}' in response.text


@pytest.mark.parametrize("endpoint", ["s3cret"], indirect=True)
def test_with_a_token_a_scrape_without_it_gets_a_problem(endpoint: str) -> None:
    refused = httpx.get(f"{endpoint}/metrics")
    allowed = httpx.get(f"{endpoint}/metrics", headers={"Authorization": "Bearer s3cret"})

    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/not-authenticated"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert allowed.status_code == 200


def test_other_paths_and_methods_are_not_served(endpoint: str) -> None:
    assert httpx.get(f"{endpoint}/other").status_code == 404
    assert httpx.post(f"{endpoint}/metrics").status_code == 405
