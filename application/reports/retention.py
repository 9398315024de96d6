"""Retention: reports older than the retention period lose their upload and result documents,
like a deletion by their owner (the tombstone and the audit trail stay). Reports whose job has
not ended and reports a schedule runs from are kept. Works in batches, each in a short
transaction that skips rows locked elsewhere, so it never holds many locks for long."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from application.reports.delete import remove_files
from domain.ports import BlobStore, Clock, UnitOfWork


class Retention(BaseModel):
    model_config = ConfigDict(frozen=True)

    days: float = Field(default=0, ge=0)  # 0: keep forever
    batch_size: int = Field(default=500, gt=0)
    max_batches: int = Field(default=20, gt=0)  # per run; the next run goes on


class RetentionReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    reports_deleted: int = 0
    blobs_deleted: int = 0


class ApplyRetentionHandler:
    def __init__(self, *, uow: UnitOfWork, blobs: BlobStore, clock: Clock, retention: Retention) -> None:
        self._uow = uow
        self._blobs = blobs
        self._clock = clock
        self._retention = retention

    def __call__(self) -> RetentionReport:
        if not self._retention.days:
            return RetentionReport()
        reports = blobs = 0
        for _ in range(self._retention.max_batches):
            now = self._clock.now()
            with self._uow as uow:
                expired = uow.reports.expired(
                    now - timedelta(days=self._retention.days), limit=self._retention.batch_size
                )
                documents = []
                for report in expired:
                    documents += report.delete(now=now)
                    uow.reports.save(report)
                uow.commit()
            blobs += remove_files(self._uow, self._blobs, documents, [report.blob_key for report in expired])
            reports += len(expired)
            if len(expired) < self._retention.batch_size:
                break
        return RetentionReport(reports_deleted=reports, blobs_deleted=blobs)
