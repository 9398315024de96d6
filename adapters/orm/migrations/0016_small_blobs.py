"""Small blobs (a finished report's documents) as rows: see adapters/orm/small_blobs.py. On
PostgreSQL their bytes are compressed with lz4, several times faster to write than the default
(pglz) for what they hold; a server built without lz4 keeps its default."""

from django.db import DatabaseError, migrations, models, transaction


def compress_with_lz4(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("ALTER TABLE small_blob ALTER COLUMN data SET COMPRESSION lz4")
    except DatabaseError:  # "compression method lz4 not supported"
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("reportflow", "0015_notification_targets_changed"),
    ]

    operations = [
        migrations.CreateModel(
            name="SmallBlobRecord",
            fields=[
                ("id", models.UUIDField(primary_key=True, serialize=False)),
                ("data", models.BinaryField()),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "db_table": "small_blob",
            },
        ),
        migrations.RunPython(compress_with_lz4, migrations.RunPython.noop),
    ]
