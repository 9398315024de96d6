from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from bench.idle_timeline import _job_of, _pushed_job, _started_at
from bench.stacks import NAIVE, REPORTFLOW

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


def test_a_doorbell_is_the_push_of_a_job_s_message_onto_its_side_s_queue() -> None:
    def pushed(queue: str, body: object) -> str:
        encoded = base64.b64encode(json.dumps(body).encode()).decode()
        return f'LPUSH {queue} {{"body": "{encoded}", "content-encoding": "utf-8"}}'

    ours = pushed("default", [[], {"job_id": "5f0c", "attempt": 1}, {}])
    naive = pushed("celery", [[42], {}, {}])

    assert _pushed_job(ours, "default", _job_of(REPORTFLOW)) == "5f0c"
    assert _pushed_job(naive, "celery", _job_of(NAIVE)) == "42"
    assert _pushed_job(ours, "engine", _job_of(REPORTFLOW)) is None  # another queue's message
    assert _pushed_job("BRPOP default 1", "default", _job_of(REPORTFLOW)) is None
