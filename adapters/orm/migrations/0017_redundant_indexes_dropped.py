"""Indexes no lookup needs, each written with every row: job_event(job_id) and
idempotency_key(owner_id) lead the unique constraints (job_id, seq) and (owner_id, key), which
serve the same lookups; job(parent_id) held an entry for every job, most of them without a
parent, and is now partial, for the children of a fan-out. The partial one is built before
the full one goes, so a lookup of children never lacks an index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reportflow', '0016_small_blobs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='jobrecord',
            index=models.Index(condition=models.Q(('parent__isnull', False)), fields=['parent'], name='job_children'),
        ),
        migrations.AlterField(
            model_name='idempotencykeyrecord',
            name='owner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='jobeventrecord',
            name='job',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reportflow.jobrecord'),
        ),
        migrations.AlterField(
            model_name='jobrecord',
            name='parent',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='reportflow.jobrecord'),
        ),
    ]
