"""The schema's indexes are what the lookups need and no more: each is written with every row."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_migrations_make_exactly_the_models_schema() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits non-zero when not


def indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_no_index_repeats_the_head_of_a_unique_one_and_children_are_indexed_where_set() -> None:
    events, keys, jobs = indexes("job_event"), indexes("idempotency_key"), indexes("job")

    assert not [name for name, definition in events.items() if definition.endswith("(job_id)")]
    assert not [name for name, definition in keys.items() if definition.endswith("(owner_id)")]
    assert [definition for definition in jobs.values() if "(parent_id)" in definition] == [jobs["job_children"]], (
        "one index of parent_id, the partial one"
    )
    assert jobs["job_children"].endswith("WHERE (parent_id IS NOT NULL)")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is empty: make the planner choose
        cursor.execute("EXPLAIN SELECT id FROM job WHERE parent_id = gen_random_uuid()")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "job_children" in plan, plan
