"""Counts straight from the database: what the chaos tests assert on."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

TERMINAL = ("succeeded", "failed", "dead", "cancelled")


@dataclass(frozen=True)
class Event:
    seq: int
    from_status: str
    to_status: str
    attempt: int
    actor: str
    at: datetime
    message: str
    data: dict[str, Any]


class Database:
    """Reads the stack's database over a fresh connection per query, so a restart of the
    server between two reads does no harm."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=3) as conn:
            return conn.execute(sql, params).fetchall()

    def statuses(self) -> Counter[str]:
        return Counter({status: count for status, count in self.rows("SELECT status, count(*) FROM job GROUP BY 1")})

    def job_count(self) -> int:
        return int(self.rows("SELECT count(*) FROM job")[0][0])

    def running_workers(self) -> Counter[str]:
        """Worker name -> jobs it runs right now."""
        return Counter(dict(self.rows("SELECT worker, count(*) FROM job WHERE status = 'running' GROUP BY 1")))

    def brief_attempts_in_flight(self) -> int:
        """Sessions inside a transaction but idle: brief attempts in the middle of their work
        (every other transaction of the stack goes from statement to statement)."""
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"
        )
        return int(self.rows(sql)[0][0])

    def job(self, job_id: str) -> dict[str, Any]:
        columns = ("status", "attempts", "max_attempts", "worker")
        (row,) = self.rows(f"SELECT {', '.join(columns)} FROM job WHERE id = %s", (job_id,))
        return dict(zip(columns, row, strict=True))

    def events(self) -> dict[str, list[Event]]:
        """Every job's audit trail, in order."""
        trails: dict[str, list[Event]] = {}
        sql = (
            "SELECT job_id::text, seq, from_status, to_status, attempt, actor, at, message, data "
            "FROM job_event ORDER BY job_id, seq"
        )
        for job_id, *fields in self.rows(sql):
            trails.setdefault(job_id, []).append(Event(*fields))
        return trails

    def results(self) -> dict[str, Any]:
        """Job id -> the stored summary of its report's result (None until it completed)."""
        return dict(self.rows("SELECT job_id::text, summary FROM report"))

    def wait_until(self, count: int, statuses: tuple[str, ...] = TERMINAL, *, timeout: float) -> float:
        """Wait until `count` jobs are in `statuses`; the seconds it took. Raises
        AssertionError with the status counts at the deadline."""
        started = time.monotonic()
        seen: Counter[str] | str = Counter()
        while time.monotonic() - started < timeout:
            try:
                seen = self.statuses()
            except psycopg.OperationalError as exc:  # the server may be restarting
                seen = f"database unreachable: {exc}"
            if isinstance(seen, Counter) and sum(seen[s] for s in statuses) >= count:
                return time.monotonic() - started
            time.sleep(0.25)
        raise AssertionError(f"after {timeout:.0f}s only these jobs, expected {count} {statuses}: {seen}")


def transitions(trail: list[Event], from_status: str, to_status: str) -> list[Event]:
    return [e for e in trail if e.from_status == from_status and e.to_status == to_status]


def starts(trail: list[Event]) -> list[Event]:
    return [e for e in trail if e.to_status == "running" and e.from_status != "running"]
