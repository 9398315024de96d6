from __future__ import annotations

import pytest

from bench.load import parse_wrk, percentile, task_span, task_times

WORKER_LOG = """\
[2025-01-31 12:00:00,100: INFO/MainProcess] celery@host ready.
[2025-01-31 12:00:00,200: INFO/MainProcess] Task reports.process[6f0c] received
[2025-01-31 12:00:00,250: INFO/MainProcess] Task jobs.relay_outbox[aa01] received
[2025-01-31 12:00:00,300: INFO/MainProcess] Task reports.process[7a1d] received
2025-01-31 12:00:00,400 INFO adapters.celery.tasks reports.process job=x attempt=1 outcome=succeeded
[2025-01-31 12:00:00,450: INFO/ForkPoolWorker-1] Task reports.process[6f0c] succeeded in 0.2s: None
[2025-01-31 12:00:01,700: INFO/ForkPoolWorker-2] Task reports.process[7a1d] succeeded in 0.3s: None
[2025-01-31 12:00:02,000: INFO/ForkPoolWorker-1] Task jobs.relay_outbox[aa01] succeeded in 0.01s: None
"""


def test_a_drain_spans_the_first_receipt_to_the_last_success_of_that_task_only() -> None:
    assert len(task_times(WORKER_LOG, "reports.process", "succeeded")) == 2
    assert task_span(WORKER_LOG, "reports.process") == pytest.approx(1.5)


STRUCTURED_LOG = """\
{"event": "attempt started", "task": "reports.process", "job_id": "a", "timestamp": "2025-01-31T12:00:00.200000Z"}
{"event": "outbox relayed", "task": "jobs.relay_outbox", "timestamp": "2025-01-31T12:00:00.300000Z"}
{"event": "attempt started", "task": "reports.process", "job_id": "b", "timestamp": "2025-01-31T12:00:00.300000Z"}
{"event": "attempt ended", "task": "reports.process", "outcome": "succeeded", "timestamp": "2025-01-31T12:00:00.45Z"}
{"event": "attempt ended", "task": "reports.process", "outcome": "skipped", "timestamp": "2025-01-31T12:00:01.000000Z"}
{"event": "attempt ended", "task": "reports.process", "outcome": "succeeded", "timestamp": "2025-01-31T12:00:01.7Z"}
"""


def test_reportflow_s_structured_attempt_lines_time_a_drain_too() -> None:
    assert len(task_times(STRUCTURED_LOG, "reports.process", "succeeded")) == 2
    assert task_span(STRUCTURED_LOG, "reports.process") == pytest.approx(1.5)


def test_wrk_figures_come_from_the_scripts_last_line() -> None:
    figures = (
        '{"requests": 1000, "duration_us": 10000000, "p50_us": 140000, "p99_us": 196500, "errors": 0, "non_2xx": 0}'
    )
    output = f"Running 10s test\n{figures}\n"

    assert parse_wrk(output) == {"req/s": 100.0, "p50 ms": 140.0, "p99 ms": 196.5}


@pytest.mark.parametrize("failure", ['"errors": 3, "non_2xx": 0', '"errors": 0, "non_2xx": 1'])
def test_a_run_with_a_failed_request_is_refused(failure: str) -> None:
    output = f'{{"requests": 1000, "duration_us": 10000000, "p50_us": 1, "p99_us": 1, {failure}}}'

    with pytest.raises(RuntimeError, match="wrk"):
        parse_wrk(output)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 51)]

    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (25.0, 50.0, 50.0)
