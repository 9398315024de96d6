"""Submitting reports over HTTP the way clients do, timing every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from tests.e2e.stack import Stack

REQUEST_TIMEOUT = 10.0  # far above the 2 s the service promises, so a slow answer is measured, not cut


@dataclass(frozen=True)
class Submission:
    index: int
    status: int  # 0 when no HTTP answer came at all
    seconds: float
    job_id: str
    error: str = ""


def report_csv(index: int) -> bytes:
    return f"index,double,label\n{index},{index * 2},row-{index}\n".encode()


def submit_reports(
    stack: Stack,
    count: int,
    *,
    concurrency: int = 4,
    spread_seconds: float = 0.0,
    on_accepted: Callable[[str], None] | None = None,
) -> list[Submission]:
    """Upload `count` reports from `concurrency` clients; with `spread_seconds`, request i
    starts no earlier than i * spread_seconds / count after the first. `on_accepted` is
    called with each accepted job's id, from the submitting thread."""
    local = threading.local()
    clients: list[httpx.Client] = []
    started = time.monotonic()

    def submit(index: int) -> Submission:
        if spread_seconds:
            time.sleep(max(0.0, started + index * spread_seconds / count - time.monotonic()))
        client: httpx.Client | None = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(
                base_url=stack.base_url, headers={"Authorization": f"Token {stack.token}"}, timeout=REQUEST_TIMEOUT
            )
            clients.append(client)
        t0 = time.monotonic()
        try:
            response = client.post("/api/v1/reports/", files={"file": (f"r{index}.csv", report_csv(index), "text/csv")})
        except httpx.HTTPError as exc:
            return Submission(index, 0, time.monotonic() - t0, "", f"{type(exc).__name__}: {exc}")
        seconds = time.monotonic() - t0
        job_id = response.json().get("id", "") if response.status_code == 202 else ""
        if job_id and on_accepted is not None:
            on_accepted(str(job_id))
        return Submission(index, response.status_code, seconds, str(job_id), "" if job_id else response.text[:300])

    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(submit, range(count)))
    finally:
        for client in clients:
            client.close()


def accepted_ids(submissions: list[Submission]) -> list[str]:
    return [s.job_id for s in submissions if s.status == 202]


def latency_figures(submissions: list[Submission]) -> dict[str, float]:
    seconds = sorted(s.seconds for s in submissions)
    return {
        "requests": len(seconds),
        "max_request_seconds": round(seconds[-1], 3),
        "p50_request_seconds": round(seconds[len(seconds) // 2], 3),
        "p95_request_seconds": round(seconds[max(0, -(-len(seconds) * 95 // 100) - 1)], 3),
    }


def not_accepted(submissions: list[Submission]) -> list[Submission]:
    return [s for s in submissions if s.status != 202]
