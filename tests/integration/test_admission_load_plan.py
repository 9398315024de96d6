"""Admission's load count reads only the rows it counts, however long the owner's backlog:
PostgreSQL's own plan of the statement, executed on 2,000 waiting jobs, touches a few rows
(it scanned every one of them when the load was counted with filtered COUNTs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from adapters.orm import repositories
from adapters.orm.repositories import JOBS

pytestmark = pytest.mark.django_db(transaction=True)

BACKLOG = 2000
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LIMITED = ("report.process", "report.chunk", "report.merge")
EXEMPT = ("notification.webhook", "notification.email")


def rows_touched(plan: dict[str, Any]) -> int:
    """Rows every node of an EXPLAIN ANALYZE plan produced or read and filtered away."""
    own = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * plan.get("Actual Loops", 1)
    return own + sum(rows_touched(child) for child in plan.get("Plans", []))


def test_the_load_of_an_owner_with_a_long_backlog_touches_a_few_rows(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    due = NOW - timedelta(seconds=1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {JOBS.name} (id, owner_id, kind, queue, status, attempts, max_attempts, progress,
                priority, worker, error, error_detail, cancel_requested, payload, children_total, children_done,
                last_event_seq, created_at, updated_at, next_attempt_at, dispatched_at, redeliveries, correlation,
                last_event_hash)
            SELECT gen_random_uuid(), %s, 'report.process', 'default',
                CASE WHEN g <= 2 THEN 'running' ELSE 'queued' END, 0, 5, 0, 0, '', '', '', false, '{{}}', 0, 0, 1,
                %s, %s, %s, CASE WHEN g <= 6 THEN %s END, 0, '{{}}', ''
            FROM generate_series(1, %s) g""",
            [owner, due, due, due, due, BACKLOG],
        )
        cursor.execute(f"ANALYZE {JOBS.name}")
        sql = repositories._dispatch_load_sql(LIMITED, EXEMPT)
        at = JOBS.prepare_value("next_attempt_at", NOW)
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, [owner, owner, owner, at, owner, at])
        (explained,) = cursor.fetchone()
        cursor.execute(sql, [owner, owner, owner, at, owner, at])
        load = cursor.fetchone()

    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    assert load == (2, 4, True, False)
    assert rows_touched(plan) < 50, json.dumps(plan, indent=1)
