"""Database records. No behaviour here: mapping to domain objects lives in mappers.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from domain.job_status import JobStatus

STATUS_CHOICES = [(status.value, status.value) for status in JobStatus]


class JobRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)
    queue = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    attempts = models.PositiveIntegerField()
    max_attempts = models.PositiveIntegerField()
    progress = models.FloatField(default=0.0)
    worker = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    last_event_seq = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    next_attempt_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "job"
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="job_owner_newest"),
            models.Index(fields=["owner", "status", "-created_at", "-id"], name="job_owner_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in JobStatus]), name="job_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1), name="job_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class JobEventRecord(models.Model):
    job = models.ForeignKey(JobRecord, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    from_status = models.CharField(max_length=16, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    attempt = models.PositiveIntegerField()
    actor = models.CharField(max_length=255)
    at = models.DateTimeField()
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "job_event"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="job_event_seq_unique")]
        ordering = ["job", "seq"]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.seq} {self.from_status or '-'} -> {self.to_status}"


class ReportRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(JobRecord, on_delete=models.PROTECT, related_name="report")
    name = models.CharField(max_length=255)
    filename = models.CharField(max_length=255)
    blob_key = models.CharField(max_length=1024)
    size_bytes = models.BigIntegerField()
    content_type = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    result = models.JSONField(null=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "report"

    def __str__(self) -> str:
        return f"report {self.id} ({self.name})"
