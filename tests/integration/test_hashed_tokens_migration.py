"""Migration 0007 hashes the tokens that rest_framework.authtoken kept in plain text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

BEFORE, AFTER = ("reportflow", "0006_dispatch_priorities_start_buckets"), ("reportflow", "0007_hashed_tokens")
PLAIN_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # the shape of a DRF token


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def _migrate_to_the_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def back_to_the_latest_schema() -> Iterator[None]:
    """The test travels back in the migrations; the tests after it need the latest schema."""
    yield
    _migrate_to_the_latest()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_a_token_issued_before_keeps_working_and_its_plain_key_is_gone() -> None:
    _migrate(BEFORE)
    user = get_user_model().objects.create(username="legacy")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL, "
            "user_id integer NOT NULL UNIQUE REFERENCES auth_user (id))"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now() - interval '1 day', %s)", [PLAIN_KEY, user.pk])

    _migrate(AFTER)

    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key, created < now() - interval '1 hour' FROM api_token")
        ((digest, token_key, kept_its_age),) = cursor.fetchall()
    assert PLAIN_KEY not in digest and token_key == PLAIN_KEY[:15] and kept_its_age
    _migrate_to_the_latest()  # the API's models are the latest ones
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {PLAIN_KEY}")
    assert client.get("/api/v1/jobs/").status_code == 200
