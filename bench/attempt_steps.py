"""An attempt's steps in one process: claim, work and record of small reports (not a test).

Submits reports through the WSGI handler (Django's test client) on a fresh migrated database
and a held Redis database, then runs each job through the Celery task (`apply`, with the task
signals), as a pool process does; prints the medians of the pipeline's own step timings and of
the whole task. `--pause` sleeps before each job, as an idle worker would have; `--one-by-one`
submits each job right before it runs (no backlog: no admission refills).

    .venv/bin/python -m bench.attempt_steps                       # a backlog of 600, back to back
    .venv/bin/python -m bench.attempt_steps --one-by-one --pause 0.01
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from contextlib import ExitStack
from typing import Any

from bench.query_counts import SUBMIT_PATH, _token, _upload, on_fresh_services

WARM_UP = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=600)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds to sleep before each job")
    parser.add_argument("--one-by-one", action="store_true", help="submit each job right before it runs")
    options = parser.parse_args()
    with ExitStack() as resources:
        on_fresh_services(resources, "reportflow_steps", "config.settings")
        print(measure(options.jobs + WARM_UP, pause=options.pause, one_by_one=options.one_by_one))


def measure(jobs: int, *, pause: float, one_by_one: bool) -> str:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections
    from django.test import Client

    from application.jobs import pipeline
    from config.celery import app

    call_command("migrate", verbosity=0)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {_token('reportflow')}")
    app.loader.import_default_modules()  # what a worker imports: its tasks and signal handlers
    from adapters.celery.tasks import _warm_up

    _warm_up()  # what a pool process does when it starts
    task = app.tasks["reports.process"]
    steps: list[tuple[float, float, float]] = []
    run = pipeline.AttemptPipeline.__call__

    def timed(self: pipeline.AttemptPipeline, cmd: pipeline.RunAttempt) -> Any:
        outcome = run(self, cmd)
        steps.append((outcome.claim_seconds, outcome.work_seconds, outcome.record_seconds))
        return outcome

    pipeline.AttemptPipeline.__call__ = timed  # type: ignore[method-assign]

    def submit() -> str:
        close_old_connections()  # what a request starts with (the test client skips it)
        response = client.post(SUBMIT_PATH, {"file": _upload()}, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 202, response.content
        return str(response.json()["id"])

    backlog = [] if one_by_one else [submit() for _ in range(jobs)]
    totals = []
    cpu_started = 0.0
    for index in range(jobs):
        if index == WARM_UP:
            cpu_started = time.process_time()
        job_id = submit() if one_by_one else backlog[index]
        time.sleep(pause)
        started = time.perf_counter()
        task.apply(kwargs={"job_id": job_id, "attempt": 1}).get()
        totals.append(time.perf_counter() - started)
    # the process's CPU, its threads' included (an attempt's publish runs on one), a mean: less
    # moved by the host's other work than the medians of wall time
    cpu = (time.process_time() - cpu_started) / (jobs - WARM_UP)
    steps, totals = steps[WARM_UP:], totals[WARM_UP:]

    def ms(values: list[float]) -> str:
        return f"{1000 * statistics.median(values):.2f}"

    claim, work, record = zip(*steps, strict=True)
    return (
        f"{len(totals)} jobs, pause {pause} s, {'one by one' if one_by_one else 'from a backlog'}: task {ms(totals)} ms"
        f" (claim {ms(list(claim))}, work {ms(list(work))}, record {ms(list(record))}), medians;"
        f" CPU {1000 * cpu:.2f} ms a job, mean"
    )


if __name__ == "__main__":
    main()
