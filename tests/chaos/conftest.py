"""The fault-injection suite runs only when asked for: CHAOS=1 (`make test-chaos`).

Without CHAOS=1 its tests are deselected (not skipped), so a plain `pytest` over tests/
neither runs them nor reports them as skipped. With CHAOS=1 a missing prerequisite is a
failure, never a skip. Each scenario's measured figures are appended as one JSON line to
CHAOS_RESULTS (default var/chaos-results.jsonl) and printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.chaos.harness import Size, chosen_size
from tests.chaos.services import PrivatePostgres, PrivateRedis, missing_postgres, missing_redis

CHAOS_DIR = Path(__file__).parent
ROOT = CHAOS_DIR.parents[1]
ENABLED = os.environ.get("CHAOS") == "1"
SHARED_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
_deselected: list[str] = []
_figures: list[dict[str, Any]] = []
_call_report = pytest.StashKey[pytest.TestReport]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    chaos = [item for item in items if CHAOS_DIR in Path(str(item.path)).parents]
    if chaos:
        items[:] = [item for item in items if CHAOS_DIR not in Path(str(item.path)).parents]
        config.hook.pytest_deselected(items=chaos)
        _deselected.extend(item.nodeid for item in chaos)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _deselected:
        terminalreporter.write_line(
            f"chaos: {len(_deselected)} fault-injection tests deselected; run them with CHAOS=1 (make test-chaos)"
        )
    if _figures:
        terminalreporter.section("chaos figures")
        for line in _figures:
            terminalreporter.write_line(json.dumps(line))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def size() -> Size:
    return chosen_size()


@pytest.fixture
def figures(request: pytest.FixtureRequest, size: Size) -> Iterator[dict[str, Any]]:
    """The scenario's measured figures; written out whether it passed or not."""
    measured: dict[str, Any] = {}
    started = datetime.now(UTC)
    yield measured
    report = request.node.stash.get(_call_report, None)
    line = {
        "scenario": request.node.name,
        "size": size.name,
        "outcome": report.outcome if report else "error",
        "started_at": started.isoformat(timespec="seconds"),
        "wall_seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        **measured,
    }
    path = Path(os.environ.get("CHAOS_RESULTS", ROOT / "var" / "chaos-results.jsonl"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    print(f"chaos figures: {json.dumps(line)}")
    _figures.append(line)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if reason := missing_redis():
        pytest.fail(f"chaos prerequisite missing: {reason}", pytrace=False)
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if reason := missing_postgres():
        pytest.fail(f"chaos prerequisite missing: {reason}", pytrace=False)
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A database of its own on the machine's shared PostgreSQL, dropped afterwards."""
    name = f"reportflow_chaos_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(SHARED_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"chaos prerequisite missing: PostgreSQL on 127.0.0.1:5432 ({exc})", pytrace=False)
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(SHARED_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
