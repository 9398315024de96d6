"""One upload through two gunicorn workers and a real Celery worker moves the counters that
the web's /metrics and the worker's own endpoint show: each adds up every process it has."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.stack import Stack, free_port, running_stack, wait_for_job

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(url: str) -> Samples:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every label set that has `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, key), v in samples.items() if n == name and wanted <= set(key))


def counting_pids(folder: Path) -> set[str]:
    return {m.group(1) for p in folder.glob("counter_*.db") if (m := re.fullmatch(r"counter_(\d+)\.db", p.name))}


def upload(stack: Stack) -> str:
    with stack.client() as client:
        accepted = client.post("/api/v1/reports/", files={"file": ("a.csv", b"a,b\n1,2\n3,4\n", "text/csv")})
        assert accepted.status_code == 202, accepted.text
        job = wait_for_job(client, accepted.headers["Location"], {"succeeded", "failed", "dead"})
    assert job["status"] == "succeeded", stack.log_tail()
    return str(job["id"])


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_one_upload_moves_the_counters_of_the_web_and_of_the_worker(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    worker_port = free_port()
    env = {"WORKER_METRICS_PORT": str(worker_port), "WORKER_HEARTBEAT_SECONDS": "0.5"}
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env, web_workers=2
    ) as stack:
        web_metrics, worker_metrics = f"{stack.base_url}/metrics", f"http://127.0.0.1:{worker_port}/metrics"
        stack.wait_for_log("worker", "worker metrics on", timeout=60)
        web_before = scrape(web_metrics)
        with ThreadPoolExecutor(4) as pool:  # at once, so both gunicorn workers answer some
            answers = list(
                pool.map(lambda _: httpx.get(f"{stack.base_url}/healthz", timeout=10).status_code, range(24))
            )

        upload(stack)
        web = [scrape(web_metrics) for _ in range(6)]
        worker = scrape(worker_metrics)
        web_pids = counting_pids(tmp_path / "var" / "metrics" / "web")

    assert answers == [200] * 24
    assert len(web_pids) == 2, f"both gunicorn workers counted requests: {web_pids}"
    # /healthz: nothing else asks for it (the stack's own readiness polls may still be answered late)
    healthz = {"route": "healthz", "method": "GET", "status": "200"}
    for each in web:  # whichever gunicorn worker answered the scrape, it adds up both
        assert (
            value(each, "reportflow_http_requests_total", **healthz)
            - value(web_before, "reportflow_http_requests_total", **healthz)
            == 24
        )
        assert value(each, "reportflow_jobs_submitted_total", kind="report.process", queue="default") == 1
        assert value(each, "reportflow_jobs", kind="report.process", queue="default", status="succeeded") == 1
        assert value(each, "reportflow_queue_depth", queue="default") == 0
        assert (value(each, "reportflow_broker_up"), value(each, "reportflow_statistics_up")) == (1, 1)
        # no beat runs here: a delivery published after the request's half-second wait stays unmarked
        assert ("reportflow_outbox_backlog", ()) in each
    ended = {"kind": "report.process", "queue": "default", "status": "succeeded"}
    assert value(worker, "reportflow_jobs_ended_total", **ended) == 1
    assert value(worker, "reportflow_job_run_seconds_count", **ended) == 1
    assert value(worker, "reportflow_job_queue_wait_seconds_count", kind="report.process", queue="default") == 1
    assert value(worker, "reportflow_job_attempts_total", kind="report.process", outcome="succeeded") == 1
    steps = ("claim", "work", "record")
    timed = [value(worker, "reportflow_attempt_step_seconds_count", kind="report.process", step=s) for s in steps]
    assert timed == [1, 1, 1]
    heartbeats = [v for (name, _), v in worker.items() if name == "reportflow_worker_heartbeat_timestamp_seconds"]
    assert len(heartbeats) == 1 and time.time() - heartbeats[0] < 30
    assert total(worker, "reportflow_jobs_submitted_total") == 0, "the web counts submissions, not the worker"
