"""What a scrape answers: the counts of every process of this process manager (multiprocess
mode) or of this process alone, plus any collectors read at scrape time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from adapters.metrics import multiprocess

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        return iter(REGISTRY.collect())


def scrape_registry(extra: Iterable[Collector] = ()) -> CollectorRegistry:
    registry = CollectorRegistry()
    path = multiprocess.directory()
    if path is not None:
        MultiProcessCollector(registry, path=str(path))  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return registry


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The Prometheus text format of one scrape."""
    return generate_latest(scrape_registry(extra))
