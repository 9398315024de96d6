"""The audit trail is append-only: the database itself refuses to change or delete an event."""

from django.db import migrations

POSTGRES_UP = """
CREATE FUNCTION job_event_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'job_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER job_event_append_only BEFORE UPDATE OR DELETE ON job_event
    FOR EACH ROW EXECUTE FUNCTION job_event_is_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER job_event_append_only ON job_event;
DROP FUNCTION job_event_is_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER job_event_no_update BEFORE UPDATE ON job_event
       BEGIN SELECT RAISE(ABORT, 'job_event is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER job_event_no_delete BEFORE DELETE ON job_event
       BEGIN SELECT RAISE(ABORT, 'job_event is append-only: DELETE refused'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER job_event_no_update;", "DROP TRIGGER job_event_no_delete;"]


def _run(schema_editor, statements):  # type: ignore[no-untyped-def]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_UP])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_DOWN])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("reportflow", "0002_outbox_leases_idempotency_dead_messages")]

    operations = [migrations.RunPython(install, remove)]
