"""What PostgreSQL spends planning the hot statements: five statements an attempt of a backlog
job runs (the job locked by id, its report, the owner's load, the next jobs to dispatch, a
compare-and-set UPDATE), each set in a transaction, run N times with the values bound on the
client (as Django and the deferred writes send them: planned every time) and as server-side
prepared statements (planned once), on a database holding 1,000 queued reports. Prints the
PostgreSQL backend's CPU time per set, read from /proc, and the wall time (not a test).

    .venv/bin/python -m bench.planning [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg

from bench import load
from bench.stacks import REPORTFLOW, Bench
from tests.e2e.services import database_url, held_redis_database

KINDS = "('report.process', 'report.chunk', 'report.merge')"
WAITING = "status IN ('queued', 'retrying')"


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / 100


def statements(job_id: Any) -> list[tuple[str, Callable[[], tuple[Any, ...]]]]:
    return [
        ("SELECT * FROM job WHERE id = %s FOR UPDATE", lambda: (job_id,)),
        ("SELECT * FROM report WHERE job_id = %s", lambda: (job_id,)),
        (
            f"SELECT (SELECT COUNT(*) FROM job WHERE owner_id = %s AND status = 'running' AND children_total = 0"
            f" AND kind IN {KINDS}), (SELECT COUNT(*) FROM job WHERE owner_id = %s AND {WAITING}"
            f" AND dispatched_at IS NOT NULL AND kind IN {KINDS}), EXISTS (SELECT 1 FROM job WHERE owner_id = %s"
            f" AND {WAITING} AND dispatched_at IS NULL AND next_attempt_at <= now() AND kind IN {KINDS})",
            lambda: (1, 1, 1),
        ),
        (
            f"SELECT id FROM job WHERE owner_id = %s AND {WAITING} AND dispatched_at IS NULL"
            f" AND next_attempt_at <= now() AND kind IN {KINDS}"
            " ORDER BY priority DESC, next_attempt_at, created_at, id LIMIT 2 FOR UPDATE SKIP LOCKED",
            lambda: (1,),
        ),
        ("UPDATE job SET progress = 0.0 WHERE id = %s AND last_event_seq = -1", lambda: (job_id,)),
    ]


def main() -> None:
    sets = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with ExitStack() as resources:
        scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="reportflow-planning-")))
        bench = Bench(resources, resources.enter_context(held_redis_database(seconds=600)), scratch)
        with bench.running(REPORTFLOW) as running:
            load.post_many(running, 1000)
            url = database_url(running.database)
            with psycopg.connect(url, autocommit=True) as db:
                db.execute("ANALYZE")
                row = db.execute("SELECT id FROM job ORDER BY created_at DESC LIMIT 1").fetchone()
            assert row is not None
            hot = statements(row[0])
            ways: dict[str, dict[str, Any]] = {
                "bound on the client": {"cursor_factory": psycopg.ClientCursor},
                "prepared on the server": {"prepare_threshold": 0},
            }
            for way, options in ways.items():
                with psycopg.connect(url, **options) as conn:
                    pid = conn.info.backend_pid
                    for _ in range(20):  # the backend's caches warm, as on a long-lived connection
                        with conn.transaction():
                            for sql, values in hot:
                                conn.execute(sql, values())
                    cpu, started = backend_cpu_seconds(pid), time.perf_counter()
                    for _ in range(sets):
                        with conn.transaction():
                            for sql, values in hot:
                                conn.execute(sql, values())
                    cpu, wall = backend_cpu_seconds(pid) - cpu, time.perf_counter() - started
                print(
                    f"{way}: PostgreSQL CPU {1000 * cpu / sets:.3f} ms, wall {1000 * wall / sets:.3f} ms"
                    f" per transaction of {len(hot)} statements ({sets} transactions)"
                )


if __name__ == "__main__":
    main()
