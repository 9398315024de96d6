"""Every metric reportflow's processes count, in one place.

Processes with several children (gunicorn workers, Celery pool processes) count in
prometheus_client's multiprocess mode: each child writes its own files in the directory
`PROMETHEUS_MULTIPROC_DIR` names, and a scrape adds them up (`adapters.metrics.multiprocess`).
The gauges read from the database and the broker at scrape time are in `collectors`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

JOB_SECONDS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
HTTP_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

JOBS_SUBMITTED = Counter(
    "reportflow_jobs_submitted", "Jobs clients submitted (accepted and committed)", ["kind", "queue"]
)
JOBS_ENDED = Counter(
    "reportflow_jobs_ended",
    "Jobs that reached a terminal status: succeeded, failed, dead or cancelled (committed)",
    ["kind", "queue", "status"],
)
JOB_RUN_SECONDS = Histogram(
    "reportflow_job_run_seconds",
    "Run time of the attempt that ended a job (succeeded, failed, dead): finished - started",
    ["kind", "queue", "status"],
    buckets=JOB_SECONDS,
)
JOB_QUEUE_WAIT_SECONDS = Histogram(
    "reportflow_job_queue_wait_seconds",
    "Seconds from acceptance to the start of the first attempt, for jobs that ended after one attempt",
    ["kind", "queue"],
    buckets=JOB_SECONDS,
)
ATTEMPT_STEP_SECONDS = Histogram(
    "reportflow_attempt_step_seconds",
    "Seconds each step of an attempt took: claim (the transaction that starts it), work, record "
    "(the transaction that stores what it came to)",
    ["kind", "step"],
    buckets=(0.001, 0.0025, *HTTP_SECONDS, 30, 60, 300, 1800),
)
JOB_ATTEMPTS = Counter(
    "reportflow_job_attempts",
    "Deliveries a worker handled, by outcome (retry_scheduled: a retry; skipped: a duplicate or stale delivery)",
    ["kind", "outcome"],
)
RECONCILER_ACTIONS = Counter(
    "reportflow_reconciler_actions",
    "What the reconciler did: lease_expired (a worker stopped renewing) or redelivered (a lost message sent again)",
    ["action"],
)
WEBHOOK_DELIVERIES = Counter("reportflow_webhook_deliveries", "Webhook requests sent, by what came back", ["outcome"])
WEBHOOK_SECONDS = Histogram(
    "reportflow_webhook_delivery_seconds",
    "How long a webhook request took, until its answer or its failure",
    buckets=HTTP_SECONDS,
)
HTTP_REQUESTS = Counter(
    "reportflow_http_requests", "HTTP requests, by URL pattern name, method and status", ["route", "method", "status"]
)
HTTP_SECONDS_HISTOGRAM = Histogram(
    "reportflow_http_request_duration_seconds",
    "HTTP request latency, by URL pattern name and method",
    ["route", "method"],
    buckets=HTTP_SECONDS,
)
WORKER_HEARTBEAT = Gauge(
    "reportflow_worker_heartbeat_timestamp_seconds",
    "When a worker's main process last proved it was alive (Unix time)",
    ["worker"],
    multiprocess_mode="max",
)

COUNTED = (
    JOBS_SUBMITTED,
    JOBS_ENDED,
    JOB_RUN_SECONDS,
    JOB_QUEUE_WAIT_SECONDS,
    JOB_ATTEMPTS,
    ATTEMPT_STEP_SECONDS,
    RECONCILER_ACTIONS,
    WEBHOOK_DELIVERIES,
    WEBHOOK_SECONDS,
    HTTP_REQUESTS,
    HTTP_SECONDS_HISTOGRAM,
    WORKER_HEARTBEAT,
)
