"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from adapters.api.problems import PROBLEM_CONTENT_TYPE, problem
from config.celery import app as celery_app


def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked, so a restart is the only cure."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to accept work: the database and the broker both answer within ~2 s, and every
    migration this code has is applied to the database."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    else:
        checks["migrations"] = _migrations()
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {type(exc).__name__}"
    if all(value == "ok" for value in checks.values()):
        return JsonResponse({"status": "ok", "checks": checks})
    body = problem(503, "not-ready", "Not ready", "a dependency is unavailable", checks=checks)
    return JsonResponse(body, status=503, content_type=PROBLEM_CONTENT_TYPE)


def _migrations() -> str:
    """ "ok", or the migrations this code has that the database lacks (an old schema under new code)."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    missing = [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]
    return f"not applied: {', '.join(missing)}" if missing else "ok"
