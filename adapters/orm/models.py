"""Database records. No behaviour here: mapping to domain objects lives in mappers.py."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from knox.models import AbstractAuthToken

from domain.job_status import JobStatus

STATUS_CHOICES = [(status.value, status.value) for status in JobStatus]
# who may submit high-priority jobs (staff and superusers always may)
HIGH_PRIORITY_PERMISSION = "reportflow.submit_high_priority"


class JobRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    # No index of its own: job_owner_newest starts with the owner. One would be an index more to
    # write on every insert and every transition, and PostgreSQL, with the statistics of a
    # table that was empty when last analysed, picked it for admission's reads: then every
    # refill sorted the owner's whole backlog (tests/integration/test_admission_load_plan.py).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=100)
    queue = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    attempts = models.PositiveIntegerField()
    max_attempts = models.PositiveIntegerField()
    progress = models.FloatField(default=0.0)
    priority = models.SmallIntegerField(default=0)
    worker = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    error_detail = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    # indexed only where set (see Meta): most jobs have no parent, and a full index would hold
    # an entry for each of them, written with every job
    parent = models.ForeignKey("self", null=True, on_delete=models.PROTECT, related_name="children", db_index=False)
    payload = models.JSONField(default=dict)
    children_total = models.PositiveIntegerField(default=0)
    children_done = models.PositiveIntegerField(default=0)
    last_event_seq = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    next_attempt_at = models.DateTimeField(null=True)
    dispatched_at = models.DateTimeField(null=True)
    redelivery_due_at = models.DateTimeField(null=True)
    redeliveries = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True)
    correlation = models.JSONField(default=dict)  # request_id, traceparent of the request that caused it
    last_event_hash = models.CharField(max_length=64, blank=True, default="")  # domain.audit

    class Meta:
        db_table = "job"
        permissions = [("submit_high_priority", "Can submit high-priority jobs")]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="job_owner_newest"),
            models.Index(fields=["owner", "status", "-created_at", "-id"], name="job_owner_status_newest"),
            # the reconciler's two scans touch only running and waiting jobs
            models.Index(fields=["lease_expires_at"], name="job_running_lease", condition=models.Q(status="running")),
            models.Index(
                fields=["next_attempt_at"],
                name="job_waiting_since",
                condition=models.Q(status__in=["queued", "retrying"]),
            ),
            models.Index(fields=["-created_at", "-id"], name="job_dead_newest", condition=models.Q(status="dead")),
            # a fan-out's children (a parent's id is never NULL in a lookup of them)
            models.Index(fields=["parent"], name="job_children", condition=models.Q(parent__isnull=False)),
            # admission: an owner's waiting jobs not dispatched yet, in the order they may start
            # (all of next_to_dispatch's ORDER BY: its LIMIT reads the first rows, never a sort)
            models.Index(
                fields=["owner", "-priority", "next_attempt_at", "created_at", "id"],
                name="job_awaiting_admission",
                condition=models.Q(status__in=["queued", "retrying"], dispatched_at=None),
            ),
            # admission: whether an owner has a job of some kinds due and awaiting admission (the
            # first row of each kind answers, however long its backlog). The kind leads: with
            # the owner first, PostgreSQL could not tell it from job_awaiting_admission with
            # stale statistics, and picked that one, reading the owner's whole backlog.
            models.Index(
                fields=["kind", "owner", "next_attempt_at"],
                name="job_awaiting_by_kind",
                condition=models.Q(status__in=["queued", "retrying"], dispatched_at=None),
            ),
            # admission: an owner's jobs waiting in the broker (a few, however long its backlog)
            models.Index(
                fields=["owner"],
                name="job_dispatched",
                condition=models.Q(status__in=["queued", "retrying"], dispatched_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in JobStatus]), name="job_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1), name="job_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class JobOutputRecord(models.Model):
    """What a child job hands to its parent (a chunk's partial profile); apart, as it can be large."""

    job = models.OneToOneField(JobRecord, on_delete=models.CASCADE, primary_key=True, related_name="output")
    data = models.JSONField()

    class Meta:
        db_table = "job_output"

    def __str__(self) -> str:
        return f"output of {self.job_id}"


class SmallBlobRecord(models.Model):
    """A blob small enough to keep in the database instead of storage (a finished report's
    documents): see adapters/orm/small_blobs.py. Compressed with lz4 where the server has it."""

    id = models.UUIDField(primary_key=True)
    data = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "small_blob"

    def __str__(self) -> str:
        return f"small blob {self.id}"


class JobEventRecord(models.Model):
    # no index of its own: the unique (job, seq) leads with it, and serves its lookups
    job = models.ForeignKey(JobRecord, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    from_status = models.CharField(max_length=16, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    attempt = models.PositiveIntegerField()
    actor = models.CharField(max_length=255)
    at = models.DateTimeField()
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    request_id = models.CharField(max_length=128, blank=True, default="")
    token_id = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")  # domain.audit: the chain

    class Meta:
        db_table = "job_event"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="job_event_seq_unique")]
        ordering = ["job", "seq"]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.seq} {self.from_status or '-'} -> {self.to_status}"


class StartBucketRecord(models.Model):
    """An owner's start budget (a token bucket); its row lock orders that owner's admissions."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    tokens = models.FloatField()
    refilled_at = models.DateTimeField()

    class Meta:
        db_table = "start_bucket"

    def __str__(self) -> str:
        return f"start bucket of user {self.owner_id}"


class ReportRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(JobRecord, on_delete=models.PROTECT, related_name="report")
    name = models.CharField(max_length=255)
    filename = models.CharField(max_length=255)
    blob_key = models.CharField(max_length=1024)
    size_bytes = models.BigIntegerField()
    content_type = models.CharField(max_length=255, blank=True)
    declared_schema = models.JSONField(null=True)
    created_at = models.DateTimeField()
    # the result documents live in storage; the summary is what lists and detail pages show
    summary = models.JSONField(null=True)
    # document name -> {key, offset, length} in a blob the documents share (a storage key of its
    # own, for reports finished before they shared one)
    documents = models.JSONField(default=dict)
    completed_at = models.DateTimeField(null=True)
    # set when its upload and result were deleted (by its owner or retention): a tombstone
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "report"
        indexes = [
            # retention: the oldest reports still stored; quotas: an owner's stored uploads
            models.Index(fields=["created_at"], name="report_stored_oldest", condition=models.Q(deleted_at=None)),
            models.Index(fields=["owner", "blob_key"], name="report_stored_owner", condition=models.Q(deleted_at=None)),
        ]

    def __str__(self) -> str:
        return f"report {self.id} ({self.name})"


class OutboxRecord(models.Model):
    """A delivery to publish, written in the transaction of the job change that needs it."""

    job = models.ForeignKey(JobRecord, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)
    attempt = models.PositiveIntegerField()
    queue = models.CharField(max_length=100)
    available_at = models.DateTimeField()
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True)
    publish_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    correlation = models.JSONField(default=dict)  # request_id, traceparent, user_id: task message headers

    class Meta:
        db_table = "outbox"
        indexes = [
            models.Index(
                fields=["available_at", "id"], name="outbox_unpublished", condition=models.Q(published_at=None)
            ),
            models.Index(fields=["job"], name="outbox_pending_job", condition=models.Q(published_at=None)),
        ]

    def __str__(self) -> str:
        return f"outbox {self.id}: {self.kind} {self.job_id} attempt {self.attempt}"


class IdempotencyKeyRecord(models.Model):
    # no index of its own: the unique (owner, key) leads with it, and serves its lookups
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=128)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "idempotency_key"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_per_owner")]

    def __str__(self) -> str:
        return f"idempotency key {self.key!r} of user {self.owner_id}"


class DeadMessageRecord(models.Model):
    """A task message that could never run; kept for an operator instead of retried forever."""

    task = models.CharField(max_length=255)
    payload = models.JSONField()
    reason = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        db_table = "dead_message"

    def __str__(self) -> str:
        return f"dead message {self.id} for {self.task}"


class ApiTokenRecord(AbstractAuthToken):
    """An API token at rest: knox keeps only its digest (SHA-512) and its first characters.

    The `id` names a token in the API (list, revoke) without exposing its digest.
    """

    id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        db_table = "api_token"

    def __str__(self) -> str:
        return f"API token {self.id} of user {self.user_id}"


class ScheduleRecord(models.Model):
    """A scheduled report: re-run `report_id` (the source; a plain id, so a deleted source
    disables the schedule at its next firing instead of deleting it) on `cron` in `timezone`."""

    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report_id = models.UUIDField()
    name = models.CharField(max_length=255)
    cron = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64)
    enabled = models.BooleanField()
    disabled_reason = models.TextField(blank=True)
    next_run_at = models.DateTimeField(null=True)
    last_run_at = models.DateTimeField(null=True)
    last_job_id = models.UUIDField(null=True)
    runs = models.PositiveIntegerField(default=0)
    skipped_ticks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "schedule"
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="schedule_owner_newest"),
            # the firing's scan touches only enabled schedules (Schedule.is_due)
            models.Index(fields=["next_run_at"], name="schedule_due", condition=models.Q(enabled=True)),
        ]

    def __str__(self) -> str:
        return f"schedule {self.id} ({self.cron} {self.timezone})"


class ScheduledRunRecord(models.Model):
    """One run of a schedule; the constraint makes a tick run once, whatever fires it."""

    schedule = models.ForeignKey(ScheduleRecord, on_delete=models.CASCADE, related_name="+")
    scheduled_for = models.DateTimeField()
    report = models.ForeignKey(ReportRecord, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(JobRecord, on_delete=models.CASCADE, related_name="+")
    skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "scheduled_run"
        constraints = [
            models.UniqueConstraint(fields=["schedule", "scheduled_for"], name="scheduled_run_once_per_tick")
        ]

    def __str__(self) -> str:
        return f"run of {self.schedule_id} for {self.scheduled_for}"


class SchedulerLeaseRecord(models.Model):
    """Which scheduler may fire schedules, until when (see application.schedules.lease)."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "scheduler_lease"

    def __str__(self) -> str:
        return f"lease {self.name}: {self.holder or '-'} until {self.expires_at}"


class WebhookEndpointRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=2000)
    events = models.JSONField()  # event type names
    enabled = models.BooleanField(default=True)
    # signing needs the secrets themselves (HMAC), so they are kept, never shown after creation
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=255, blank=True)
    disabled_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "webhook_endpoint"
        indexes = [models.Index(fields=["owner", "created_at"], name="webhook_endpoint_owner")]

    def __str__(self) -> str:
        return f"webhook endpoint {self.id} ({self.url})"


class NotificationEventRecord(models.Model):
    """An event fixed when it happened: its id is the webhook-id, its body the bytes sent."""

    id = models.CharField(primary_key=True, max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=32)
    timestamp = models.DateTimeField()
    body = models.TextField()
    job = models.ForeignKey(JobRecord, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "notification_event"

    def __str__(self) -> str:
        return f"{self.type} event {self.id}"


class WebhookDeliveryRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    endpoint = models.ForeignKey(WebhookEndpointRecord, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(NotificationEventRecord, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=32)
    job = models.OneToOneField(JobRecord, on_delete=models.CASCADE, related_name="webhook_delivery")
    created_at = models.DateTimeField()
    last_attempt = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True)
    latency_ms = models.PositiveIntegerField(null=True)
    attempted_at = models.DateTimeField(null=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "webhook_delivery"
        indexes = [models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_newest")]

    def __str__(self) -> str:
        return f"delivery {self.id} of {self.event_id} to {self.endpoint_id}"


class EmailPreferencesRecord(models.Model):
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    email = models.EmailField(blank=True)
    on_success = models.BooleanField(default=False)
    on_failure = models.BooleanField(default=False)

    class Meta:
        db_table = "email_preferences"

    def __str__(self) -> str:
        return f"e-mail preferences of user {self.owner_id}"


class RateCounterRecord(models.Model):
    """Requests counted in one rate-limit window, when no Redis holds the counters."""

    key = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "rate_counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class UserLimitsRecord(models.Model):
    """A user's own limits where they differ from the settings (`manage.py user_limits`)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # "COUNT/PERIOD", or "0" for no limit; empty: SUBMIT_RATE_LIMIT applies
    submit_rate_limit = models.CharField(max_length=32, blank=True)

    class Meta:
        db_table = "user_limits"

    def __str__(self) -> str:
        return f"limits of user {self.owner_id}"
