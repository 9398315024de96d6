"""A compare-and-set update that can wait for the transaction's next statement (see
`Table.update_later_checked`): the database itself fails the statement when the update changed
no row, with its own error code, which the adapter turns back into the caller's error."""

from django.db import migrations

POSTGRES_UP = """
CREATE FUNCTION reportflow_expect_one_changed(changed bigint, what text) RETURNS void AS $$
BEGIN
    IF changed <> 1 THEN
        RAISE EXCEPTION 'a checked update changed % rows, not 1 (%)', changed, what
            USING ERRCODE = 'RF409', DETAIL = what;
    END IF;
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_DOWN = "DROP FUNCTION reportflow_expect_one_changed(bigint, text);"


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":  # elsewhere writes are never deferred
        schema_editor.execute(POSTGRES_UP, params=None)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("reportflow", "0012_admission_indexes")]

    operations = [migrations.RunPython(install, remove)]
