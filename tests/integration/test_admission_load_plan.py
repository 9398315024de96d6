"""Admission's reads touch only the rows they need, however long the owner's backlog and
whatever PostgreSQL's statistics say: its own plans of the statements, executed on 2,000
waiting jobs, read a few rows each.

Two statements are read at every claim and window refill: the owner's load (it scanned every
waiting job when it was counted with filtered COUNTs) and the next jobs to dispatch (with the
statistics of a table analysed while empty, PostgreSQL read the owner's whole backlog through
the foreign key's index and sorted it, at every refill: 3-5 ms with 1,000 jobs waiting). A
fresh database is analysed while empty, and a backlog can grow faster than autovacuum comes
back to analyse it; a prepared statement may also keep one generic plan for every owner."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from adapters.orm.repositories import JOBS, DjangoJobRepository
from domain.ports import DispatchLoad

pytestmark = pytest.mark.django_db(transaction=True)

BACKLOG = 2000
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LIMITED = ("report.process", "report.chunk", "report.merge")
EXEMPT = ("notification.webhook", "notification.email")


def rows_touched(plan: dict[str, Any]) -> int:
    """Rows every node of an EXPLAIN ANALYZE plan produced or read and filtered away."""
    own = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * plan.get("Actual Loops", 1)
    return own + sum(rows_touched(child) for child in plan.get("Plans", []))


@contextmanager
def explained(plans: list[dict[str, Any]]) -> Iterator[None]:
    """Every SELECT (or EXECUTE of a prepared one) run meanwhile is first run under EXPLAIN
    ANALYZE with the same values, and its plan appended to `plans`."""

    def explain(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if sql.startswith(("SELECT", "EXECUTE")):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                (found,) = cursor.fetchone()
            plans.append((json.loads(found) if isinstance(found, str) else found)[0]["Plan"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        yield


def add_backlog(owner: int) -> None:
    """Two running jobs, four in the broker, and the rest of BACKLOG waiting for admission."""
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


@pytest.mark.parametrize("statistics", ["analysed with the backlog", "analysed while empty"])
@pytest.mark.parametrize("plan_cache_mode", ["force_custom_plan", "force_generic_plan"])
def test_admission_reads_of_an_owner_with_a_long_backlog_touch_a_few_rows(
    make_user: Callable[[str], int], statistics: str, plan_cache_mode: str
) -> None:
    owner = make_user("alice")
    with connection.cursor() as cursor:
        if statistics == "analysed while empty":
            cursor.execute(f"ANALYZE {JOBS.name}")
        add_backlog(owner)
        if statistics == "analysed with the backlog":
            cursor.execute(f"ANALYZE {JOBS.name}")
    plans: list[dict[str, Any]] = []
    jobs = DjangoJobRepository()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL plan_cache_mode = {plan_cache_mode}")
        with explained(plans):
            load = jobs.dispatch_load(owner, NOW, kinds=LIMITED, exempt_kinds=EXEMPT)
            first = jobs.next_to_dispatch(owner, NOW, kinds=LIMITED, limit=2)

    assert load == DispatchLoad(running=2, dispatched=4, waiting=True, exempt_waiting=False)
    assert len(first) == 2 and all(job.dispatched_at is None for job in first)
    assert len(plans) == 2
    for plan in plans:
        assert rows_touched(plan) < 50, json.dumps(plan, indent=1)
