"""Engine statistics over the Django ORM: one GROUP BY over jobs, one count over the outbox."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce

from adapters.orm.models import JobRecord, OutboxRecord
from domain.job_status import JobStatus
from domain.ports.statistics import JobGroup, OutboxBacklog

WAITING = [JobStatus.QUEUED.value, JobStatus.RETRYING.value]


class DjangoEngineStatistics:
    def job_groups(self) -> list[JobGroup]:
        rows = (
            JobRecord.objects.values("kind", "queue", "status")
            .annotate(
                count=Count("id"),
                oldest_due_at=Min("next_attempt_at", filter=Q(status__in=WAITING)),
                # Job.is_lease_expired: a running job that waits on no children and holds no
                # lease has lost it; the moment it lost it is taken as its attempt's start
                oldest_lease_expiry=Min(
                    Coalesce("lease_expires_at", "started_at"),
                    filter=Q(status=JobStatus.RUNNING.value, children_total=0),
                ),
            )
            .order_by()
        )
        return [
            JobGroup(
                kind=row["kind"],
                queue=row["queue"],
                status=JobStatus(row["status"]),
                count=row["count"],
                oldest_due_at=row["oldest_due_at"],
                oldest_lease_expiry=row["oldest_lease_expiry"],
            )
            for row in rows
        ]

    def outbox_backlog(self, now: datetime) -> OutboxBacklog:
        row = OutboxRecord.objects.filter(published_at__isnull=True, available_at__lte=now).aggregate(
            count=Count("id"), oldest=Min("available_at")
        )
        return OutboxBacklog(count=row["count"], oldest_available_at=row["oldest"])
