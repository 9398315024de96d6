"""Tell listening connections when an owner's notification targets change (see
adapters/orm/targets_cache.py): a notification on the channel `reportflow_targets` naming the
owner, at the commit of any change to its webhook endpoints, its e-mail preferences or its
account's address; `*` when a table is truncated."""

from django.conf import settings
from django.db import migrations

CHANNEL = "reportflow_targets"
FUNCTION = f"""
CREATE FUNCTION reportflow_targets_changed() RETURNS trigger AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('{CHANNEL}', '*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('{CHANNEL}', to_jsonb(OLD) ->> TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('{CHANNEL}', to_jsonb(NEW) ->> TG_ARGV[0]);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _tables(apps):  # type: ignore[no-untyped-def]
    """(table, owner column, the row events that change targets) of each source of targets."""
    users = apps.get_model(settings.AUTH_USER_MODEL)._meta
    user_id = users.pk.column if users.pk else "id"
    return [
        ("webhook_endpoint", "owner_id", "INSERT OR UPDATE OR DELETE"),
        ("email_preferences", "owner_id", "INSERT OR UPDATE OR DELETE"),
        (users.db_table, user_id, "UPDATE OF email OR DELETE"),
    ]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":  # elsewhere nothing listens
        return
    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(FUNCTION, params=None)
    for table, column, events in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {quote(table + '_targets')} AFTER {events} ON {quote(table)}"
            f" FOR EACH ROW EXECUTE FUNCTION reportflow_targets_changed('{column}')",
            params=None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER {quote(table + '_targets_truncated')} AFTER TRUNCATE ON {quote(table)}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION reportflow_targets_changed('{column}')",
            params=None,
        )


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    for table, _, _ in _tables(apps):
        schema_editor.execute(f"DROP TRIGGER {quote(table + '_targets')} ON {quote(table)}", params=None)
        schema_editor.execute(f"DROP TRIGGER {quote(table + '_targets_truncated')} ON {quote(table)}", params=None)
    schema_editor.execute("DROP FUNCTION reportflow_targets_changed()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reportflow", "0014_admission_reads_in_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(install, remove)]
