"""Two workers receiving the same job at the same moment run it once (row lock + CAS)."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest
from django.db import connection

from adapters.analysis.report_engine import ProfilingReportEngine
from adapters.clock import SystemClock
from adapters.memory import InMemoryTaskQueue
from adapters.orm.heartbeat import DjangoHeartbeat
from adapters.orm.unit_of_work import DjangoUnitOfWork
from adapters.storage.django_blob_store import DjangoBlobStore
from application.attempts import AttemptRunner, Outcome, RunAttempt
from application.engine_settings import JobEngineSettings
from application.outbox_dispatcher import OutboxDispatcher
from application.process_report import ProcessReportHandler
from application.report_output import ReportProcessing
from application.submit_report import ReportIntake, SubmitReport, SubmitReportHandler
from domain.job_status import JobStatus


class SlowCountingEngine(ProfilingReportEngine):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._lock = threading.Lock()

    def analyze_path(self, path: str, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
        time.sleep(0.3)
        return super().analyze_path(path, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_two_workers_receiving_the_same_job_execute_it_once(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    queue, blobs, clock, settings = InMemoryTaskQueue(), DjangoBlobStore(), SystemClock(), JobEngineSettings()
    engine = SlowCountingEngine()
    submitted = SubmitReportHandler(
        uow=DjangoUnitOfWork(),
        blobs=blobs,
        dispatcher=OutboxDispatcher(uow=DjangoUnitOfWork(), queue=queue, clock=clock),
        clock=clock,
        intake=ReportIntake(max_upload_bytes=1000),
        engine=settings,
        report_engine=engine,
    )(SubmitReport(owner_id=owner, filename="a.csv", size_bytes=6, content=io.BytesIO(b"a\n1\n2\n")))
    outcomes: list[Outcome] = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        runner = AttemptRunner(
            uow=DjangoUnitOfWork(),
            heartbeat=DjangoHeartbeat(clock),
            dispatcher=OutboxDispatcher(uow=DjangoUnitOfWork(), queue=queue, clock=clock),
            clock=clock,
            engine=settings,
        )
        handler = ProcessReportHandler(runner=runner, blobs=blobs, engine=engine, processing=ReportProcessing())
        start.wait()
        try:
            outcomes.append(handler(RunAttempt(job_id=submitted.job.id, attempt=1, worker=name)).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

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
