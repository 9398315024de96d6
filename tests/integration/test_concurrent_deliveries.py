"""Two workers receiving the same job at the same moment run it once (row lock + CAS)."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from typing import Any

import pytest
from django.db import connection

from adapters.analysis.report_engine import ProfilingReportEngine
from adapters.memory import InMemoryTaskQueue
from adapters.orm.unit_of_work import DjangoUnitOfWork
from application.jobs.pipeline import Outcome, RunAttempt
from application.reports.output import ReportProcessing
from application.reports.submit import SubmitReport
from config.container import container
from domain.job_status import JobStatus
from domain.profile import ProfileResult


class SlowCountingEngine(ProfilingReportEngine):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._lock = threading.Lock()

    def analyze_path(self, path: str, **kwargs: Any) -> ProfileResult:
        with self._lock:
            self.calls += 1
        time.sleep(0.3)
        return super().analyze_path(path, **kwargs)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_delivery", [False, True], ids=["ordinary attempts", "brief attempts"])
def test_two_workers_receiving_the_same_job_execute_it_once(make_user, first_delivery: bool) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    engine = SlowCountingEngine()
    stack = contextlib.ExitStack()
    stack.enter_context(container.task_queue.override(InMemoryTaskQueue()))
    stack.enter_context(container.report_engine.override(engine))
    stack.enter_context(container.processing.override(ReportProcessing(brief_bytes=64 * 1024 if first_delivery else 0)))
    with stack:
        submitted = container.submit_report()(
            SubmitReport(owner_id=owner, filename="a.csv", size_bytes=6, content=io.BytesIO(b"a\n1\n2\n"))
        )
        outcomes = run_twice_at_once(submitted.job.id, first_delivery=first_delivery)

    assert sorted(outcomes) == sorted([Outcome.SUCCEEDED, Outcome.SKIPPED])
    assert engine.calls == 1
    uow = DjangoUnitOfWork()
    with uow:
        job = uow.jobs.get(submitted.job.id)
        events = uow.jobs.events(submitted.job.id)
        report = uow.reports.get_by_job(submitted.job.id)
    assert job is not None and job.status is JobStatus.SUCCEEDED and job.attempts == 1
    assert [e.to_status for e in events] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert report is not None and report.summary == {"rows": 2, "columns": 1}


def run_twice_at_once(job_id: Any, *, first_delivery: bool = False) -> list[Outcome]:
    """Two worker threads run the same delivery, released by a barrier at the same moment."""
    outcomes: list[Outcome] = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        pipeline = container.attempt_pipeline()
        start.wait()
        try:
            attempt = RunAttempt(job_id=job_id, attempt=1, worker=name, first_delivery=first_delivery)
            outcomes.append(pipeline(attempt).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
