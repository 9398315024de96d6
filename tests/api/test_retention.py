"""Retention on real storage: reports past RETENTION_DAYS lose their upload and documents, on
local disk and on S3 (moto), in batches; rows locked by another transaction are skipped."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection, transaction
from django.utils import timezone
from moto import mock_aws
from storages.backends.s3 import S3Storage

from adapters.orm.models import JobEventRecord, ReportRecord
from adapters.storage.django_blob_store import DjangoBlobStore
from application.reports.retention import Retention
from config.container import container

BUCKET = "reportflow-retention"


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Uploads go to this storage for the test, and results too when they are not small."""
    if request.param == "local":
        chosen: Storage = FileSystemStorage(location=tmp_path)
        with container.files.override(DjangoBlobStore(chosen)):
            yield chosen
        return
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        chosen = S3Storage(bucket_name=BUCKET, region_name="us-east-1", file_overwrite=False)
        with container.files.override(DjangoBlobStore(chosen)):
            yield chosen


def age(report_ids: list[str], days: float) -> None:
    ReportRecord.objects.filter(id__in=report_ids).update(created_at=timezone.now() - timedelta(days=days))


def apply_retention(days: float, batch_size: int = 500) -> Any:
    with container.retention.override(Retention(days=days, batch_size=batch_size)):
        return container.apply_retention()()


def files_of(report_id: str) -> list[str]:
    record = ReportRecord.objects.get(id=report_id)
    return [record.blob_key, *{part["key"] for part in record.documents.values()}]


def test_reports_past_retention_lose_their_files_in_batches_and_keep_their_trail(
    storage: Storage, upload: Any, run_worker: Any
) -> None:
    old = [upload().json()["report_id"] for _ in range(3)]
    recent = upload().json()["report_id"]
    run_worker()
    age(old, days=10)
    old_files = [key for report in old for key in files_of(report)]
    events = JobEventRecord.objects.count()

    report = apply_retention(days=7, batch_size=2)

    assert (report.reports_deleted, report.blobs_deleted) == (3, len(old_files))
    blobs = container.blobs()  # the upload in `storage`, the small documents in the database
    assert storage.exists(ReportRecord.objects.get(id=recent).blob_key)
    assert all(blobs.exists(key) is False for key in old_files)
    assert all(blobs.exists(key) for key in files_of(recent))
    assert ReportRecord.objects.filter(deleted_at__isnull=False).count() == 3
    assert JobEventRecord.objects.count() == events
    assert apply_retention(days=7).reports_deleted == 0


@pytest.mark.django_db(transaction=True)
def test_a_report_locked_by_another_transaction_is_skipped_not_waited_for(
    upload: Any, run_worker: Any, tmp_path: Path
) -> None:
    with container.files.override(DjangoBlobStore(FileSystemStorage(location=tmp_path))):
        locked, free = upload().json()["report_id"], upload().json()["report_id"]
        run_worker()
        age([locked, free], days=10)
        holding, release = threading.Event(), threading.Event()

        def hold_lock() -> None:
            try:
                with transaction.atomic():
                    ReportRecord.objects.select_for_update().get(id=locked)
                    holding.set()
                    release.wait(30)
            finally:
                connection.close()  # this thread's own connection

        holder = threading.Thread(target=hold_lock)
        holder.start()
        holding.wait(30)
        try:
            report = apply_retention(days=7)
        finally:
            release.set()
            holder.join()
        later = apply_retention(days=7)

    assert report.reports_deleted == 1
    assert ReportRecord.objects.get(id=free).deleted_at is not None
    assert later.reports_deleted == 1, "the next run takes the row once it is free"


def task_lines(log_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The structured lines the engine's tasks logged."""
    return [line for line in log_lines if line["logger"] == "adapters.celery.tasks"]


def test_beat_sends_the_retention_task_which_logs_only_when_it_deleted_something(
    upload: Any, run_worker: Any, tmp_path: Path, log_lines: list[dict[str, Any]]
) -> None:
    from django.conf import settings

    from adapters.celery.tasks import apply_retention as retention_task

    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    with container.files.override(DjangoBlobStore(FileSystemStorage(location=tmp_path))):
        old = upload().json()["report_id"]
        run_worker()
        age([old], days=10)
        log_lines.clear()
        retention_task()  # RETENTION_DAYS is 0 here: nothing to do, nothing said
        quiet = task_lines(log_lines)
        with container.retention.override(Retention(days=7)):
            retention_task()
            retention_task()

    assert (entry["task"], entry["options"]["queue"]) == ("jobs.retention", "engine")
    assert quiet == []
    said = [{k: line[k] for k in ("event", "reports_deleted", "blobs_deleted")} for line in task_lines(log_lines)]
    assert said == [{"event": "retention applied", "reports_deleted": 1, "blobs_deleted": 2}]
