"""Gauges read at scrape time from the record and the broker, so they are right whatever the
number of web and worker processes and hosts. A source that does not answer is reported as
down (`..._up 0`); the scrape itself still succeeds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from application.jobs.statistics import EngineGauges
from domain.job_status import JobStatus

logger = logging.getLogger(__name__)


class EngineGaugesCollector(Collector):
    """Jobs per kind, queue and status, the oldest due waiting job, the most overdue lease and
    the outbox backlog: one read of the database per scrape."""

    def __init__(self, read: Callable[[], EngineGauges]) -> None:
        self._read = read

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        jobs, due, overdue, backlog, oldest, up = self._families()
        try:
            gauges = self._read()
        except Exception:  # a scrape must not fail because the database is away
            logger.warning("metrics: reading the engine's statistics failed", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        for gauge in gauges.jobs:
            jobs.add_metric([gauge.kind, gauge.queue, gauge.status.value], gauge.count)
            if gauge.status in (JobStatus.QUEUED, JobStatus.RETRYING):
                due.add_metric([gauge.kind, gauge.queue, gauge.status.value], gauge.oldest_due_seconds)
            if gauge.status == JobStatus.RUNNING:
                overdue.add_metric([gauge.kind, gauge.queue], gauge.lease_overdue_seconds)
        backlog.add_metric([], gauges.outbox_backlog)
        oldest.add_metric([], gauges.outbox_oldest_seconds)
        up.add_metric([], 1)
        yield from (jobs, due, overdue, backlog, oldest, up)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily(
                "reportflow_jobs", "Jobs in the database by kind, queue and status", labels=["kind", "queue", "status"]
            ),
            GaugeMetricFamily(
                "reportflow_jobs_oldest_due_seconds",
                "Waiting jobs (queued, retrying): seconds since the longest-waiting one became due",
                labels=["kind", "queue", "status"],
            ),
            GaugeMetricFamily(
                "reportflow_jobs_lease_overdue_seconds",
                "Running jobs: seconds since the most overdue lease ran out (0 while every lease holds)",
                labels=["kind", "queue"],
            ),
            GaugeMetricFamily("reportflow_outbox_backlog", "Deliveries due and not yet published to the broker"),
            GaugeMetricFamily(
                "reportflow_outbox_oldest_unpublished_seconds",
                "Seconds since the oldest due, unpublished delivery became due (0 without backlog)",
            ),
            GaugeMetricFamily("reportflow_statistics_up", "1 when the database answered this scrape's statistics"),
        )


class QueueDepthCollector(Collector):
    """Messages waiting in the broker per queue."""

    def __init__(self, read: Callable[[], Mapping[str, int]] | None) -> None:
        self._read = read

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        if self._read is None:  # a broker whose queues cannot be counted from here
            return
        depth, up = self._families()
        try:
            sizes = self._read()
        except Exception:
            logger.warning("metrics: the broker did not answer for queue depths", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        for queue, size in sorted(sizes.items()):
            depth.add_metric([queue], size)
        up.add_metric([], 1)
        yield from (depth, up)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily("reportflow_queue_depth", "Messages waiting in the broker per queue", labels=["queue"]),
            GaugeMetricFamily("reportflow_broker_up", "1 when the broker answered this scrape's queue depths"),
        )
