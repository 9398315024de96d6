"""The probes: liveness answers while the process does; readiness checks the database, the
broker and that every migration is applied (a database without them: tests/e2e)."""

from __future__ import annotations

from django.test import Client


def test_the_process_is_alive() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_ready_when_the_database_answers_with_every_migration_applied_and_the_broker_answers(db: None) -> None:
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "broker": "ok"}}
