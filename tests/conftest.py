"""Test tiers and the real services they need.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) back the integration, API and e2e
tiers. When one is absent those tests are skipped with a loud reason; with CI=true its
absence fails the run instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

TESTS = Path(__file__).parent
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def log_lines() -> Iterator[list[dict[str, Any]]]:
    """What our structlog loggers (a request's line, a task's) say during the test: each line's
    fields, the bound context and the logger's name included. (They bypass stdlib logging, so
    caplog sees only the libraries' lines; see adapters.observability.logs.)"""
    keep = [structlog.contextvars.merge_contextvars, structlog.stdlib.add_logger_name]
    with structlog.testing.capture_logs(processors=keep) as lines:
        yield lines


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


SERVICES = {
    "postgres": ("PostgreSQL", "127.0.0.1", 5432),
    "redis": ("Redis", "127.0.0.1", 6379),
}
AVAILABLE = {marker: _reachable(host, port) for marker, (_, host, port) in SERVICES.items()}
_skipped_for_services: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # every test that touches the Django database runs on PostgreSQL
        if item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.postgres)
        if TESTS / "e2e" in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
        missing = [SERVICES[m][0] for m in SERVICES if item.get_closest_marker(m) and not AVAILABLE[m]]
        if not missing:
            continue
        reason = f"!!! SKIPPED: {' and '.join(missing)} not reachable on 127.0.0.1 (see README, 'Tests')"
        if IN_CI:
            item.add_marker(pytest.mark.usefixtures("_fail_missing_service"))
        else:
            item.add_marker(pytest.mark.skip(reason=reason))
            _skipped_for_services.append(item.nodeid)


@pytest.fixture
def _fail_missing_service(request: pytest.FixtureRequest) -> None:
    missing = [SERVICES[m][0] for m in SERVICES if request.node.get_closest_marker(m) and not AVAILABLE[m]]
    pytest.fail(f"CI=true and {' and '.join(missing)} is not running on 127.0.0.1", pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_for_services:
        terminalreporter.section("MISSING SERVICES", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_skipped_for_services)} tests did not run because PostgreSQL or Redis is down. "
            "Start them (README, 'Tests') for a real result.",
            red=True,
            bold=True,
        )
