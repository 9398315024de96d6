"""Single calls of the hot path, each beside what it replaced (not a test).

Each pair runs in this process on a fresh database, alternating, `--number` calls a round, and
prints the median over `--rounds` rounds in microseconds per call:

- binding 19 values of the usual types into a statement: psycopg's `ClientCursor.mogrify`
  (a new converter each time) against the backend's (one converter per connection);
- reading a timestamptz: Django's loader against the backend's;
- validating a 3-row report's result document into its model (what each rendered document
  did before a result carried its model);
- storing the 3-row report's documents: a file through Django's storage in the runs'
  folder (var/bench) and in the system's temporary one, against a row of `small_blob`
  where an attempt writes it: an attempt's end (a statement and the commit) with the row
  travelling in it, beside the same end without it (the row's cost is the difference), and
  with PostgreSQL's default compression (pglz) instead of lz4;
- publishing a job's delivery to Redis (in the calling thread): Celery's `send_task` given
  a connection of kombu's Redis transport, which builds a Redis client for every command,
  then of the one the settings name (a client per channel), against `CeleryTaskQueue`'s
  publish (a producer kept with its connection, the arguments' repr written directly);
- rendering a job's representation (a submit's 202 body), DRF's path (every field copied
  and bound for each job) against the output serializer's planned fields.

    .venv/bin/python -m bench.hot_calls
    .venv/bin/python -m bench.hot_calls --rounds 3 --number 200
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.load import CSV
from bench.query_counts import on_fresh_services
from bench.stacks import scratch_root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--number", type=int, default=500, help="calls a round")
    options = parser.parse_args()
    with ExitStack() as resources:
        on_fresh_services(resources, "reportflow_hot", "config.settings")
        folder = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="hot-", dir=scratch_root())))
        system = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="reportflow-hot-")))
        for line in measure(options.rounds, options.number, folder, system):
            print(line)


def measure(rounds: int, number: int, folder: Path, system: Path) -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    pairs = [_binding(), _timestamps(), _validation(), _documents(folder, system), _publishing(), _job_body()]
    lines = []
    for title, calls in pairs:
        times: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(rounds):
            for name, call in calls.items():
                started = time.perf_counter()
                for _ in range(number):
                    call()
                times[name].append((time.perf_counter() - started) / number)
        medians = ", ".join(f"{name} {1e6 * statistics.median(values):.1f}" for name, values in times.items())
        lines.append(f"{title}, µs a call: {medians}")
    return lines


def _binding() -> tuple[str, dict[str, Callable[[], Any]]]:
    import psycopg
    from django.db import connection
    from psycopg.types.json import Jsonb
    from psycopg.types.numeric import Int8

    connection.ensure_connection()
    now = datetime.now(UTC)
    values = [1, uuid.uuid4(), "it's", "b", "c", Int8(5), "x", None, now, Jsonb({"a": 1}), Jsonb({"b": [1]})]
    values += [now, None, uuid.uuid4(), [1, 2], ["a", "b"], 1.5, True, Decimal("2.50")]
    sql = "EXECUTE reportflow_example(" + ", ".join(["%s"] * len(values)) + ")"
    raw = connection.connection.cursor()  # the backend's cursor class
    return f"binding {len(values)} values", {
        "psycopg's mogrify": lambda: psycopg.ClientCursor.mogrify(raw, sql, values),
        "the backend's": lambda: raw.mogrify(sql, values),
    }


def _timestamps() -> tuple[str, dict[str, Callable[[], Any]]]:
    from django.db import connection
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    connection.ensure_connection()
    raw = connection.connection.cursor()
    django_s = type("Loader", (BaseTzLoader,), {"timezone": UTC})(1184, raw)
    ours = raw.adapters.get_loader(1184, 0)(1184, raw)
    data = b"2026-12-01 15:40:37.123456+00"
    calls = {"Django's loader": lambda: django_s.load(data), "the backend's": lambda: ours.load(data)}
    return "reading a timestamptz", calls


def _result_document() -> dict[str, Any]:
    from adapters.analysis.profiling import ProfilingEngine

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "small.csv"
        path.write_bytes(CSV)
        return ProfilingEngine().analyze_path(str(path))


def _validation() -> tuple[str, dict[str, Callable[[], Any]]]:
    from adapters.analysis.profiling import ProfileResult

    document = _result_document()
    return "a 3-row result's document", {"validated": lambda: ProfileResult.model_validate(document)}


def _job_body() -> tuple[str, dict[str, Callable[[], Any]]]:
    from django.test import RequestFactory
    from rest_framework.request import Request

    from adapters.api.representations import JobOutput
    from bench.rendering import drf_path, job_view

    job = job_view()
    request = Request(RequestFactory().post("/api/v1/reports/", SERVER_NAME="localhost"))

    def drf_s() -> Any:
        with drf_path():
            return JobOutput(job, context={"request": request}).data

    calls = {"DRF's path": drf_s, "planned": lambda: JobOutput(job, context={"request": request}).data}
    return "rendering a job (a submit's 202 body: 22 fields and 5 links)", calls


def _documents(folder: Path, system: Path) -> tuple[str, dict[str, Callable[[], Any]]]:
    from django.core.files.storage import FileSystemStorage
    from django.db import connection

    from adapters.analysis.report_engine import ProfilingReportEngine
    from adapters.orm.small_blobs import SmallBlobsInDatabase
    from adapters.orm.statements import DEFERRED_WRITES
    from adapters.orm.unit_of_work import DjangoUnitOfWork
    from adapters.storage.django_blob_store import DjangoBlobStore

    engine = ProfilingReportEngine()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "small.csv"
        path.write_bytes(CSV)
        result = engine.analyze_path(str(path), schema=None)
    documents = json.dumps(result.document) + engine.render_html(result) + engine.export_csv(result, table="columns")
    content = documents.encode()
    in_folder, in_system = (DjangoBlobStore(FileSystemStorage(location=str(where))) for where in (folder, system))
    rows = SmallBlobsInDatabase(in_folder, limit=len(content))
    with connection.cursor() as cursor:  # the same table, with PostgreSQL's default compression
        cursor.execute("CREATE TABLE small_blob_pglz (LIKE small_blob)")
        cursor.execute("ALTER TABLE small_blob_pglz ALTER COLUMN data SET COMPRESSION pglz")

    def save(store: Any) -> Callable[[], Any]:
        return lambda: store.save(name_hint="documents", content=io.BytesIO(content), prefix="results")

    def attempt_end(write: Callable[[], Any] | None) -> Callable[[], Any]:
        """A unit of work as an attempt's end: a statement, then the commit (which waits for
        the disk), with `write` deferred into it."""

        def run() -> None:
            with DjangoUnitOfWork() as uow:
                if write is not None:
                    write()
                uow.jobs.get(uuid.uuid4())
                uow.commit()

        return run

    def pglz() -> None:  # deferred as the row's insert is, into the other table
        values = [uuid.uuid4(), content, datetime.now(UTC)]
        getattr(connection, DEFERRED_WRITES).add("INSERT INTO small_blob_pglz VALUES (%s, %s, %s)", values)

    return f"storing {len(content):,} bytes of documents", {
        "a file in var/bench": save(in_folder),
        "a file in the system's temporary folder": save(in_system),
        "an attempt's end without them": attempt_end(None),
        "with them as a row (lz4)": attempt_end(save(rows)),
        "with them as a row (pglz)": attempt_end(pglz),
    }


def _publishing() -> tuple[str, dict[str, Callable[[], Any]]]:
    from adapters.celery.task_queue import PUBLISH_TRANSPORT_OPTIONS, CeleryTaskQueue
    from config.celery import app
    from config.container import container
    from domain.ports import Delivery

    publisher = CeleryTaskQueue(app, kinds=container.job_kinds())
    delivery = Delivery(job_id=uuid.uuid4(), kind="report.process", attempt=1, queue="bulk")
    kwargs = {"job_id": str(delivery.job_id), "attempt": 1}

    def send_task(transport: str | None) -> Callable[[], Any]:
        """As the publish was: Celery builds a producer and a safe repr of the arguments each time."""
        options = {"transport_options": PUBLISH_TRANSPORT_OPTIONS} | ({"transport": transport} if transport else {})
        connection = app.connection_for_write(**options)
        task = container.job_kinds().kind(delivery.kind).task
        return lambda: app.send_task(task, kwargs=kwargs, queue=delivery.queue, retry=False, connection=connection)

    return "publishing a delivery", {
        "send_task through kombu's Redis transport": send_task("kombu.transport.redis:Transport"),
        "send_task through the settings' transport": send_task(None),
        "the task queue's publish": lambda: publisher._publish(delivery),
    }


if __name__ == "__main__":
    main()
