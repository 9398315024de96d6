"""Round trips to PostgreSQL and Redis on the hot paths: one submit, one drained job, and the
idle beat ticks (outbox relay, reconciler).

    .venv/bin/python -m bench.query_counts                 # reportflow
    .venv/bin/python -m bench.query_counts --side naive    # the naive reference, for comparison
    .venv/bin/python -m bench.query_counts --show-sql      # and every statement of one sample

One process, on a fresh migrated database and a held Redis database. Each path goes through
its real entry point: the WSGI handler (Django's test client, with the connection check a
real request starts with) and the Celery task (`apply`, with the task signals). libpq traces
every connection the process opens, threads included, so BEGIN, COMMIT, savepoints and
health checks count; Redis round trips are the commands (or pipelines) written to a socket.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from tests.e2e.services import database_url, fresh_database, held_redis_database, redis_url

SAMPLES = 5
SUBMIT_PATH = "/api/v1/reports/"
CSV = b"id,amount,label\n1,10.5,a\n2,20.25,b\n3,30,c\n"


class Tracer:
    """libpq traces of every connection, read back as the statements sent since the last mark."""

    def __init__(self, directory: Path) -> None:
        self._directory, self._files, self._offsets = directory, [], {}  # type: ignore[var-annotated]
        self.connections = 0
        self.redis_writes = 0

    def attach(self, connection: object, **_: object) -> None:
        from psycopg import pq

        path = self._directory / f"connection-{len(self._files)}.trace"
        handle = path.open("w")
        pgconn = connection.connection.pgconn  # type: ignore[attr-defined]
        pgconn.trace(handle.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        self._files.append((path, handle))
        self.connections += 1

    def sent(self) -> list[str]:
        """The messages sent to PostgreSQL since the previous call, in order per connection."""
        messages = []
        for path, _ in self._files:
            text = path.read_text(errors="replace")
            messages += [line for line in text[self._offsets.get(path, 0) :].splitlines() if line.startswith("F\t")]
            self._offsets[path] = len(text)
        return messages


def measure(tracer: Tracer, action: Callable[[], object]) -> dict[str, object]:
    tracer.sent()
    connections, redis_writes = tracer.connections, tracer.redis_writes
    action()
    sent = tracer.sent()
    statements = [line.split("\t", 3)[3].strip().strip('"') for line in sent if "\tQuery\t" in line]
    kinds = Counter(kind for statement in statements for kind in _kinds(statement))
    return {
        "round trips": sum(1 for line in sent if "\tQuery\t" in line or "\tSync\t" in line),
        "statements": kinds,
        "transactions": kinds["COMMIT"] + kinds["ROLLBACK"],
        "new connections": tracer.connections - connections,
        "redis round trips": tracer.redis_writes - redis_writes,
        "sql": statements,
    }


def _kinds(statement: str) -> list[str]:
    """The first word of a message's statement, and BEGIN and COMMIT apart when they travel with it."""
    if statement.startswith("BEGIN; "):
        return ["BEGIN", *_kinds(statement.removeprefix("BEGIN; "))]
    if statement.endswith("; COMMIT"):
        return [*_kinds(statement.removesuffix("; COMMIT")), "COMMIT"]
    return [(statement.split() or ["(empty)"])[0].upper()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=["reportflow", "naive"], default="reportflow")
    parser.add_argument("--show-sql", action="store_true", help="print every statement of one sample of each path")
    options = parser.parse_args()
    with ExitStack() as resources:
        settings = "config.settings" if options.side == "reportflow" else "bench.naive.settings"
        scratch = on_fresh_services(resources, "reportflow_queries", settings)
        report(options.side, scratch, show_sql=options.show_sql)


def on_fresh_services(resources: ExitStack, name: str, settings: str) -> Path:
    """Point this process (not set up yet) at a fresh migrated-to-be database `name`, a held
    Redis database and a scratch folder, all released with `resources`; the scratch folder."""
    scratch = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix=f"{name}-")))
    broker = resources.enter_context(held_redis_database())
    database = resources.enter_context(fresh_database(name))
    os.environ.update(
        DATABASE_URL=database_url(database),
        CELERY_BROKER_URL=redis_url(broker),
        SECRET_KEY=secrets.token_urlsafe(48),
        VAR_DIR=str(scratch / "var"),
        LOG_LEVEL="WARNING",
        SECURE_SSL_REDIRECT="false",  # the test client speaks plain HTTP
        DJANGO_SETTINGS_MODULE=settings,
    )
    return scratch


def report(side: str, scratch: Path, *, show_sql: bool) -> None:
    import django
    from django.core.management import call_command
    from django.db import close_old_connections, connections
    from django.db.backends.signals import connection_created
    from django.test import Client
    from redis.connection import AbstractConnection

    django.setup()
    call_command("migrate", verbosity=0)
    token = _token(side)
    connections.close_all()
    tracer = Tracer(scratch)
    connection_created.connect(tracer.attach)
    send = AbstractConnection.send_packed_command

    def counted_send(self: AbstractConnection, *args: object, **kwargs: object) -> None:
        tracer.redis_writes += 1
        send(self, *args, **kwargs)  # type: ignore[arg-type]

    AbstractConnection.send_packed_command = counted_send  # type: ignore[method-assign]
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")

    def submit() -> str:
        close_old_connections()  # what a request starts with (the test client skips it)
        upload = {"file": _upload()}
        response = client.post(SUBMIT_PATH, upload, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 202, response.content
        return str(response.json()["id"])

    run_job, ticks = _worker_paths(side)
    paths: dict[str, list[dict[str, object]]] = {"submit (POST /api/v1/reports/)": [], "drained job": []}
    paths.update({name: [] for name in ticks})
    for _ in range(3):  # warm-up: imports, the broker connection, first-use queries
        run_job(submit())
    ids: list[str] = []
    for _ in range(SAMPLES):
        paths["submit (POST /api/v1/reports/)"].append(measure(tracer, lambda: ids.append(submit())))
        paths["drained job"].append(measure(tracer, lambda: run_job(ids[-1])))
        for name, action in ticks.items():
            paths[name].append(measure(tracer, action))
    _print(side, paths, show_sql=show_sql)


def _worker_paths(side: str) -> tuple[Callable[[str], object], dict[str, Callable[[], object]]]:
    """How a worker runs a job, and the scheduled ticks beat sends (none for the naive side)."""
    if side == "naive":
        from bench.naive.tasks import process_report as naive_task

        return lambda job_id: naive_task.apply(args=(int(job_id),)), {}
    from config.celery import app

    app.loader.import_default_modules()  # what a worker imports: its tasks and signal handlers
    tasks = app.tasks  # by their stable names, wherever they are defined
    ticks = {
        "idle outbox relay tick (every 1 s)": tasks["jobs.relay_outbox"].apply,
        "idle reconcile tick (every 5 s)": tasks["jobs.reconcile"].apply,
    }
    return lambda job_id: tasks["reports.process"].apply(kwargs={"job_id": job_id, "attempt": 1}).get(), ticks


def _token(side: str) -> str:
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    username = f"{side}-queries"
    if side == "naive":
        from rest_framework.authtoken.models import Token

        user, _ = get_user_model().objects.get_or_create(username=username)
        return str(Token.objects.get_or_create(user=user)[0].key)
    out = io.StringIO()
    call_command("issue_token", username, stdout=out, stderr=io.StringIO())  # knox: only a digest is stored
    return out.getvalue().split()[-1]


def _upload() -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bench.csv", CSV, content_type="text/csv")


def _print(side: str, paths: dict[str, list[dict[str, object]]], *, show_sql: bool) -> None:
    print(f"{side}: PostgreSQL and Redis round trips per path (over {SAMPLES} samples)\n")
    print("| path | PostgreSQL round trips | transactions | statements | new connections | Redis round trips |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, samples in paths.items():
        cells = [_figure([sample[key] for sample in samples]) for key in ("round trips", "transactions")]
        kinds = samples[-1]["statements"]
        statements = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())  # type: ignore[attr-defined]
        rest = [_figure([sample[key] for sample in samples]) for key in ("new connections", "redis round trips")]
        print(f"| {name} | {cells[0]} | {cells[1]} | {statements} | {rest[0]} | {rest[1]} |")
    if show_sql:
        for name, samples in paths.items():
            print(f"\n{name}:")
            for statement in samples[-1]["sql"]:  # type: ignore[attr-defined]
                print("   ", statement[:160])


def _figure(values: list[object]) -> str:
    low, high = min(values), max(values)  # type: ignore[type-var]
    return str(low) if low == high else f"{low}-{high}"


if __name__ == "__main__":
    main()
