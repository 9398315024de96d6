"""Typed configuration from the environment. With nothing set, the embedded default runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adapters.rate_limits.rates import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent


class Environment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    debug: bool = False
    # required outside DEBUG (config.secret_key): at least 50 random characters
    secret_key: str = ""
    allowed_hosts: Annotated[list[str], NoDecode] = ["127.0.0.1", "localhost", "[::1]", "testserver"]
    # where the embedded default keeps its SQLite file, broker folders and uploads
    var_dir: Path = BASE_DIR / "var"
    database_url: str = ""
    celery_broker_url: str = ""
    media_root: Path | None = None
    # uploads and results: "local" disk (MEDIA_ROOT) or "s3" (any S3-compatible store;
    # credentials come from the usual AWS_* variables or the instance's role)
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str = ""
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    # how long a signed link to a report's HTML page (no Authorization header) stays valid
    report_link_ttl_seconds: int = Field(default=15 * 60, gt=0)
    report_max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=2.0, gt=0)
    retry_cap_seconds: float = Field(default=300.0, gt=0)
    lease_seconds: float = Field(default=30.0, gt=0)
    # uploads larger than this go to the bulk queue, so long profiles do not hold up short ones
    bulk_above_bytes: int = Field(default=32 * 1024 * 1024, ge=0)
    # per owner, across every worker: jobs running at once and starts per minute (0: no
    # limit), and how many of its jobs may wait in the broker at once (the rest wait in the
    # database, where starts are ordered fairly across owners)
    user_max_running: int = Field(default=0, ge=0)
    user_starts_per_minute: int = Field(default=0, ge=0)
    user_dispatch_window: int = Field(default=4, ge=1)
    # submissions (POST /api/v1/reports/) per user and for everyone together, as "COUNT/PERIOD"
    # (s, min, hour, day); empty or 0: no limit. Counted in Redis when RATE_LIMIT_REDIS_URL (or a
    # Redis broker URL) names one, else in the database.
    submit_rate_limit: str = ""
    global_submit_rate_limit: str = ""
    rate_limit_redis_url: str = ""
    # admission of new submissions (0: no limit): a user's unfinished jobs, a user's stored
    # uploads in bytes, and every owner's jobs waiting to start together
    user_max_queued: int = Field(default=0, ge=0)
    user_max_stored_bytes: int = Field(default=0, ge=0)
    max_backlog: int = Field(default=0, ge=0)
    # uploads and results older than this are deleted (the audit trail stays); 0: kept forever
    retention_days: float = Field(default=0, ge=0)
    # a running attempt reads its job back at most this often, to see a cancel request
    cancel_check_seconds: float = Field(default=0.5, gt=0)
    # one attempt of a report, chunk or merge job: the soft limit ends it as a transient
    # error, the hard limit kills it (both below the visibility timeout)
    report_soft_time_limit_seconds: float = Field(default=900, gt=0)
    report_time_limit_seconds: float = Field(default=960, gt=0)
    # per pool process: the data segment an attempt may use (0: unlimited), and the resident
    # size after which a process is replaced once its task ends
    worker_memory_limit_mb: int = Field(default=4096, ge=0)
    worker_max_memory_per_child_mb: int = Field(default=1536, ge=0)
    redelivery_after_seconds: float = Field(default=120.0, gt=0)
    relay_interval_seconds: float = Field(default=1.0, gt=0)
    # how often beat fires the schedules that are due (a run starts at most this late)
    schedule_fire_interval_seconds: float = Field(default=5.0, gt=0)
    # the scheduler lease: a second beat takes over this long after the active one stopped
    scheduler_lease_seconds: float = Field(default=30.0, gt=0)
    # "module:Class" of the clock the schedules run on; the e2e tests speed it up
    schedule_clock: str = "adapters.clock:SystemClock"
    reconcile_interval_seconds: float = Field(default=5.0, gt=0)
    # Longest time a task may run before Redis hands its message to another worker; it
    # must exceed the longest task (retries wait in the outbox, not in the broker).
    visibility_timeout_seconds: int = Field(default=3600, gt=0)
    # an API token expires this long after it was issued; 0 = never
    token_ttl_days: float = Field(default=90, ge=0)
    db_conn_max_age: int = Field(default=600, ge=0)
    # PostgreSQL: the hot statements are prepared once per connection (see adapters/orm/
    # prepared.py). Turn off behind a pooler that hands a session's statements to other
    # server connections (PgBouncer in transaction mode).
    db_prepared_statements: bool = True
    # PostgreSQL: publish the deliveries an attempt admits on a thread of its own instead of in
    # the attempt's thread (adapters/orm/background.py); off: the hand-offs cost a drain more
    publish_in_background: bool = False
    # PostgreSQL: keep owners' notification targets per connection, forgotten when a trigger's
    # notification says they changed (adapters/orm/targets_cache.py); needs LISTEN, which
    # PgBouncer in transaction mode does not keep
    cache_notification_targets: bool = True
    log_level: str = "INFO"
    # "json" (one JSON object a line) or "console" (readable lines); unset: console with DEBUG, else json
    log_format: Literal["json", "console"] | None = None
    # "module:Class" of the ReportEngine; the fault-injection suite swaps in its own
    report_engine: str = "adapters.analysis.report_engine:ProfilingReportEngine"
    # files above this size are profiled as chunk jobs of about chunk_bytes, then merged
    fan_out_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    chunk_bytes: int = Field(default=128 * 1024 * 1024, gt=0)
    # PostgreSQL: a report up to this size runs the first delivery of an attempt as a brief
    # attempt, in one transaction (application.jobs.pipeline); 0: none does
    brief_attempt_bytes: int = Field(default=64 * 1024, ge=0)
    # a finished report's documents up to this size are a row of the database, larger ones a
    # blob of storage (adapters/orm/small_blobs.py); 0: always storage
    database_documents_bytes: int = Field(default=256 * 1024, ge=0)
    # where clients reach the API: the absolute links in webhooks and e-mails start with it
    public_base_url: str = "http://127.0.0.1:8000"
    # hosts, addresses or CIDRs webhooks may reach although they are not public (tests, private
    # deployments); empty: public addresses only. Cloud metadata addresses are never reachable.
    webhook_allowed_networks: Annotated[list[str], NoDecode] = []
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_disable_after_failures: int = Field(default=5, ge=1)
    webhook_secret_grace_seconds: float = Field(default=24 * 3600, ge=0)
    webhook_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_read_timeout_seconds: float = Field(default=10.0, gt=0)
    email_max_attempts: int = Field(default=5, ge=1)
    # e-mail: printed on the console unless EMAIL_HOST names an SMTP server
    email_host: str = ""
    email_port: int = Field(default=25, gt=0, lt=65536)
    email_host_user: str = ""
    email_host_password: str = ""
    email_use_tls: bool = False
    email_timeout_seconds: float = Field(default=10.0, gt=0)
    default_from_email: str = "reportflow <reportflow@localhost>"

    # https behind a TLS-terminating proxy. Unset, each is on outside DEBUG (production) and off
    # with DEBUG. The proxy header is a header name ("" trusts none) whose value "https" marks a
    # request the proxy received over TLS; the proxy must set or strip it on every request.
    secure_proxy_ssl_header: str | None = None
    secure_ssl_redirect: bool | None = None
    secure_hsts_seconds: int | None = Field(default=None, ge=0)
    secure_hsts_include_subdomains: bool | None = None
    # a commitment for the whole domain (browsers' preload lists): only ever on by choice
    secure_hsts_preload: bool = False
    secure_cookies: bool | None = None
    # /metrics: with a token, `Authorization: Bearer <token>` is needed; without, loopback only
    metrics_token: str = ""
    # where each process manager (gunicorn's master, a Celery worker) keeps the multiprocess
    # metric files of its children, in a directory of its own (default: VAR_DIR/metrics)
    metrics_dir: Path | None = None
    # a worker's own metrics endpoint (0: none); the same guard as /metrics
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    worker_metrics_address: str = "127.0.0.1"
    # the worker's liveness file, touched every few seconds while its main loop runs
    worker_heartbeat_file: Path | None = None
    worker_heartbeat_seconds: float = Field(default=5.0, gt=0)
    # `make worker-health` fails once the file is older than this
    worker_heartbeat_max_age_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _time_limits_below_visibility(self) -> Environment:
        if not self.report_soft_time_limit_seconds < self.report_time_limit_seconds < self.visibility_timeout_seconds:
            raise ValueError(
                "need REPORT_SOFT_TIME_LIMIT_SECONDS < REPORT_TIME_LIMIT_SECONDS < VISIBILITY_TIMEOUT_SECONDS: a task "
                "that outlives the visibility timeout is handed to a second worker while it still runs"
            )
        return self

    @field_validator("submit_rate_limit", "global_submit_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(value)  # raises ValueError
        return value.strip()

    @field_validator("allowed_hosts", "webhook_allowed_networks", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        return [host.strip() for host in value.split(",") if host.strip()] if isinstance(value, str) else value

    @property
    def effective_log_format(self) -> Literal["json", "console"]:
        return self.log_format or ("console" if self.debug else "json")

    def in_production(self, value: bool | None) -> bool:
        """An on/off setting: as set, or else on outside DEBUG."""
        return (not self.debug) if value is None else value

    @property
    def proxy_ssl_header(self) -> tuple[str, str] | None:
        """Django's SECURE_PROXY_SSL_HEADER: the header's WSGI name and the value that means https."""
        header = self.secure_proxy_ssl_header
        if header is None:
            header = "" if self.debug else "X-Forwarded-Proto"
        return ("HTTP_" + header.strip().upper().replace("-", "_"), "https") if header.strip() else None

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "reportflow.sqlite3"

    @property
    def metrics_base(self) -> Path:
        return self.metrics_dir or self.var_dir / "metrics"

    @property
    def heartbeat_file(self) -> Path:
        return self.worker_heartbeat_file or self.var_dir / "worker.heartbeat"

    @property
    def broker_dir(self) -> Path:
        return self.var_dir / "broker"

    @property
    def broker_url(self) -> str:
        return self.celery_broker_url or "filesystem://localhost/"

    @property
    def uses_embedded_broker(self) -> bool:
        return self.broker_url.startswith("filesystem://")
