"""The submission rate limit holds across gunicorn's worker processes: on PostgreSQL + Redis
(counted in Redis) and on the embedded default (SQLite, counted in the database)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import Stack, running_stack

SMALL = b"a,b\n1,2\n"
# a day: twenty quick posts cannot straddle the end of a window. The access log names the web
# worker (its pid) that answered each request.
LIMIT = {
    "SUBMIT_RATE_LIMIT": "5/day",
    "GUNICORN_CMD_ARGS": "--access-logfile - --access-logformat 'served-by=%(p)s %(m)s %(U)s %(s)s'",
}


def post_quickly(stack: Stack, count: int) -> list[httpx.Response]:
    """`count` uploads at once over 8 connections, so both web workers take some."""
    headers = {"Authorization": f"Token {stack.token}"}
    with httpx.Client(base_url=stack.base_url, headers=headers, timeout=60) as client, ThreadPoolExecutor(8) as pool:
        return list(
            pool.map(
                lambda _: client.post("/api/v1/reports/", files={"file": ("a.csv", SMALL, "text/csv")}), range(count)
            )
        )


def web_workers_that_answered(stack: Stack, request: str = "POST /api/v1/reports/") -> set[str]:
    lines = (stack.logs / "web.log").read_text().splitlines()
    return {line.split("served-by=")[1].split()[0] for line in lines if "served-by=" in line and request in line}


def wait_for_both_web_workers(stack: Stack, timeout: float = 60) -> None:
    """Readiness needs one web worker; on a loaded machine the other may still be starting."""
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(4) as pool:
        while len(web_workers_that_answered(stack, "GET /healthz")) < 2:
            assert time.monotonic() < deadline, "the second web worker did not answer in time"
            list(pool.map(lambda _: httpx.get(f"{stack.base_url}/healthz", timeout=10), range(4)))


def assert_exactly_five_accepted(answers: list[httpx.Response]) -> None:
    statuses = sorted(a.status_code for a in answers)
    refused = [a for a in answers if a.status_code == 429]
    assert statuses == [202] * 5 + [429] * 15, statuses
    assert {a.headers["RateLimit-Policy"] for a in answers} == {'"user";q=5;w=86400'}
    remaining = sorted(int(a.headers["RateLimit"].split(";")[1].removeprefix("r=")) for a in answers)
    assert remaining == [0] * 16 + [1, 2, 3, 4], "each accepted upload got a count of its own"
    assert all(a.headers["Content-Type"] == "application/problem+json" for a in refused)
    assert all(int(a.headers["Retry-After"]) > 0 for a in refused)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_two_web_workers_share_one_rate_limit_counted_in_redis(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    with running_stack(
        tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=LIMIT, workers=()
    ) as stack:
        wait_for_both_web_workers(stack)
        answers = post_quickly(stack, 20)
        workers = web_workers_that_answered(stack)

    assert_exactly_five_accepted(answers)
    assert len(workers) == 2, f"both web workers answered (else the test shows nothing): {workers}"


@pytest.mark.slow
def test_the_embedded_default_shares_the_rate_limit_through_its_database(tmp_path: Path) -> None:
    with running_stack(tmp_path / "var", extra_env=LIMIT, workers=()) as stack:
        wait_for_both_web_workers(stack)
        answers = post_quickly(stack, 20)
        workers = web_workers_that_answered(stack)

    assert_exactly_five_accepted(answers)
    assert len(workers) == 2, f"both web workers answered (else the test shows nothing): {workers}"
