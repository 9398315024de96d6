from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from bench.naive.models import Report


@shared_task(name="naive.process_report")
def process_report(report_id: int) -> None:
    report = Report.objects.get(pk=report_id)
    report.status = "processed"
    report.processed_at = timezone.now()
    report.save(update_fields=["status", "processed_at"])
