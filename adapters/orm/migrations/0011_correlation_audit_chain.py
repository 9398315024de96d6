"""Jobs and outbox rows keep the correlation of the request behind them (request id, trace
context); audit events record who asked and are chained by hash (domain.audit).

job_event's new columns are added by plain ALTER TABLE on both databases: Django would
rebuild the table on SQLite for a NOT NULL column, and lose its append-only triggers."""

from django.db import migrations, models

EVENT_COLUMNS = [
    ("request_id", models.CharField(blank=True, default="", max_length=128), "varchar(128)"),
    ("token_id", models.CharField(blank=True, default="", max_length=64), "varchar(64)"),
    ("hash", models.CharField(blank=True, default="", max_length=64), "varchar(64)"),
]


class Migration(migrations.Migration):
    dependencies = [("reportflow", "0010_controls")]

    operations = [
        migrations.AddField(model_name="jobrecord", name="correlation", field=models.JSONField(default=dict)),
        migrations.AddField(
            model_name="jobrecord",
            name="last_event_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(model_name="outboxrecord", name="correlation", field=models.JSONField(default=dict)),
        *(
            migrations.SeparateDatabaseAndState(
                database_operations=[
                    migrations.RunSQL(
                        f"ALTER TABLE job_event ADD COLUMN {name} {sql_type} NOT NULL DEFAULT ''",
                        f"ALTER TABLE job_event DROP COLUMN {name}",
                    )
                ],
                state_operations=[migrations.AddField(model_name="jobeventrecord", name=name, field=field)],
            )
            for name, field, sql_type in EVENT_COLUMNS
        ),
    ]
