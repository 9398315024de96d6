"""Scheduled reports: schedules, one record per run (unique per schedule and tick) and the
scheduler lease, whose one row exists from the start so competing schedulers only ever lock it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def create_lease(apps, schema_editor):
    apps.get_model("reportflow", "SchedulerLeaseRecord").objects.get_or_create(name="scheduler")


class Migration(migrations.Migration):

    dependencies = [
        ('reportflow', '0007_hashed_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SchedulerLeaseRecord',
            fields=[
                ('name', models.CharField(max_length=100, primary_key=True, serialize=False)),
                ('holder', models.CharField(blank=True, max_length=255)),
                ('expires_at', models.DateTimeField(null=True)),
            ],
            options={
                'db_table': 'scheduler_lease',
            },
        ),
        migrations.CreateModel(
            name='ScheduleRecord',
            fields=[
                ('id', models.UUIDField(primary_key=True, serialize=False)),
                ('report_id', models.UUIDField()),
                ('name', models.CharField(max_length=255)),
                ('cron', models.CharField(max_length=200)),
                ('timezone', models.CharField(max_length=64)),
                ('enabled', models.BooleanField()),
                ('disabled_reason', models.TextField(blank=True)),
                ('next_run_at', models.DateTimeField(null=True)),
                ('last_run_at', models.DateTimeField(null=True)),
                ('last_job_id', models.UUIDField(null=True)),
                ('runs', models.PositiveIntegerField(default=0)),
                ('skipped_ticks', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField()),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'schedule',
            },
        ),
        migrations.CreateModel(
            name='ScheduledRunRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scheduled_for', models.DateTimeField()),
                ('skipped', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField()),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reportflow.jobrecord')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reportflow.reportrecord')),
                ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reportflow.schedulerecord')),
            ],
            options={
                'db_table': 'scheduled_run',
            },
        ),
        migrations.AddIndex(
            model_name='schedulerecord',
            index=models.Index(fields=['owner', '-created_at', '-id'], name='schedule_owner_newest'),
        ),
        migrations.AddIndex(
            model_name='schedulerecord',
            index=models.Index(condition=models.Q(('enabled', True)), fields=['next_run_at'], name='schedule_due'),
        ),
        migrations.AddConstraint(
            model_name='scheduledrunrecord',
            constraint=models.UniqueConstraint(fields=('schedule', 'scheduled_for'), name='scheduled_run_once_per_tick'),
        ),
        migrations.RunPython(create_lease, migrations.RunPython.noop),
    ]
