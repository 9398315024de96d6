"""Two workers receiving the same job at the same moment run it once (row lock + CAS)."""

from __future__ import annotations

import io
import threading
import time
from typing import Any, BinaryIO

import pytest
from django.db import connection

from adapters.clock import SystemClock
from adapters.memory import InMemoryTaskQueue
from adapters.orm.heartbeat import DjangoHeartbeat
from adapters.orm.unit_of_work import DjangoUnitOfWork
from adapters.storage.django_blob_store import DjangoBlobStore
from application.engine_settings import JobEngineSettings
from application.outbox_dispatcher import OutboxDispatcher
from application.process_report import Outcome, ProcessReport, ProcessReportHandler
from application.submit_report import ReportIntake, SubmitReport, SubmitReportHandler
from domain.job_status import JobStatus


class SlowCountingAnalyzer:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def analyze(self, content: BinaryIO, *, checkpoint: Any = None) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
        time.sleep(0.3)
        return {"summary": {"rows": 1, "columns": 1}}


@pytest.mark.django_db(transaction=True)
def test_two_workers_receiving_the_same_job_execute_it_once(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("alice")
    queue, blobs, clock, engine = InMemoryTaskQueue(), DjangoBlobStore(), SystemClock(), JobEngineSettings()
    dispatcher = OutboxDispatcher(uow=DjangoUnitOfWork(), queue=queue, clock=clock)
    submitted = SubmitReportHandler(
        uow=DjangoUnitOfWork(),
        blobs=blobs,
        dispatcher=dispatcher,
        clock=clock,
        intake=ReportIntake(max_upload_bytes=1000),
        engine=engine,
    )(SubmitReport(owner_id=owner, filename="a.csv", size_bytes=4, content=io.BytesIO(b"a\n1\n")))
    analyzer = SlowCountingAnalyzer()
    outcomes: list[Outcome] = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        handler = ProcessReportHandler(
            uow=DjangoUnitOfWork(),
            blobs=blobs,
            analyzer=analyzer,
            heartbeat=DjangoHeartbeat(clock),
            dispatcher=dispatcher,
            clock=clock,
            engine=engine,
        )
        start.wait()
        try:
            outcomes.append(handler(ProcessReport(job_id=submitted.job.id, attempt=1, worker=name)).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted([Outcome.SUCCEEDED, Outcome.SKIPPED])
    assert analyzer.calls == 1
    uow = DjangoUnitOfWork()
    with uow:
        job = uow.jobs.get(submitted.job.id)
        events = uow.jobs.events(submitted.job.id)
    assert job is not None and job.status is JobStatus.SUCCEEDED and job.attempts == 1
    assert [e.to_status for e in events] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
