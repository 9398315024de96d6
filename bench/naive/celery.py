"""The naive reference's Celery app, configured from its Django settings."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.naive.settings")

app = Celery("naive")
app.config_from_object("django.conf:settings", namespace="CELERY")
# keep the worker's database connection across tasks instead of closing it around each
app.conf.CELERY_DB_REUSE_MAX = 1_000_000_000
app.autodiscover_tasks(["bench.naive"])
