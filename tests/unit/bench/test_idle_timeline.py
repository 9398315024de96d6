from __future__ import annotations

from datetime import UTC, datetime

from bench.idle_timeline import _started_at

WORKER_LOG = """\
[2025-01-31 12:00:00,100: INFO/MainProcess] celery@host ready.
{"event": "attempt started", "task": "reports.process", "job_id": "a", "timestamp": "2025-01-31T12:00:00.200000Z"}
{"event": "attempt ended", "task": "reports.process", "job_id": "a", "timestamp": "2025-01-31T12:00:00.250000Z"}
{"event": "attempt started", "task": "reports.process", "job_id": "b", "timestamp": "2025-01-31T12:00:00.300000Z"}
{"event": "attempt started", "task": "reports.process", "job_id": "b", "timestamp": "2025-01-31T12:00:09.000000Z"}
"""


def test_each_job_is_timed_from_its_first_attempt_started_line() -> None:
    def at(stamp: str) -> float:
        return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()

    assert _started_at(WORKER_LOG) == {"a": at("2025-01-31T12:00:00.2"), "b": at("2025-01-31T12:00:00.3")}
