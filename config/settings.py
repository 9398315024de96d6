"""Django settings, all read from the environment through config.environment.Environment."""

from __future__ import annotations

from datetime import timedelta

import dj_database_url

from adapters.observability import logs
from config.environment import Environment
from config.secret_key import secret_key

ENV = Environment()

DEBUG = ENV.debug
SECRET_KEY = secret_key(ENV)
ALLOWED_HOSTS = ENV.allowed_hosts

# --- https behind a TLS-terminating proxy: on by default outside DEBUG (README, "Deploying") ---
SECURE_PROXY_SSL_HEADER = ENV.proxy_ssl_header
SECURE_SSL_REDIRECT = ENV.in_production(ENV.secure_ssl_redirect)
# an orchestrator probes these over plain http, inside the network
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = ENV.secure_hsts_seconds if ENV.secure_hsts_seconds is not None else 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = ENV.in_production(ENV.secure_hsts_include_subdomains)
SECURE_HSTS_PRELOAD = ENV.secure_hsts_preload
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = ENV.in_production(ENV.secure_cookies)
X_FRAME_OPTIONS = "DENY"
# The operator console (/admin/) signs in with a session cookie, so it needs CSRF protection;
# the API authenticates every request with a token in the Authorization header (DRF's views
# are exempt from the CSRF check) and sets no cookie.
SESSION_COOKIE_AGE = 12 * 3600  # an operator's working day, not Django's two weeks
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SILENCED_SYSTEM_CHECKS = [
    # HSTS preloading binds every host of the registrable domain, in browsers' built-in lists:
    # its owner decides (SECURE_HSTS_PRELOAD=true), not a default of one service.
    "security.W021",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # the operator console: its templates first, then Django's admin with reportflow's site
    "adapters.admin",
    "adapters.admin.apps.ConsoleAdminConfig",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "adapters.orm",
]

MIDDLEWARE = [
    "adapters.observability.request_id.RequestIdMiddleware",
    "adapters.api.request_metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

for folder in (ENV.var_dir, ENV.var_dir / "static"):
    folder.mkdir(parents=True, exist_ok=True)

if ENV.database_url:
    # Persistent connections with health checks: a new PostgreSQL connection per request
    # cost 2.5x in submit throughput here, and a broken one is replaced, not reused.
    DATABASES = {
        "default": dj_database_url.parse(ENV.database_url, conn_max_age=ENV.db_conn_max_age, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a transaction's BEGIN sent along with its first statement
        DATABASES["default"]["ENGINE"] = "adapters.orm.postgresql"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(ENV.sqlite_path),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE takes the
                # write lock at BEGIN, so two writers queue instead of failing to upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_PREPARED_STATEMENTS = ENV.db_prepared_statements
PUBLISH_IN_BACKGROUND = ENV.publish_in_background
CACHE_NOTIFICATION_TARGETS = ENV.cache_notification_targets

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

STATIC_URL = "static/"
STATIC_ROOT = ENV.var_dir / "static"
MEDIA_ROOT = ENV.media_root or ENV.var_dir / "media"
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if ENV.storage_backend == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ENV.s3_bucket,
            "endpoint_url": ENV.s3_endpoint_url,
            "region_name": ENV.s3_region,
            "location": ENV.s3_prefix,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = True
# Uploads above this size spill to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = ENV.max_upload_bytes
REPORT_LINK_TTL_SECONDS = ENV.report_link_ttl_seconds

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["adapters.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "adapters.api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "adapters.api.schema.ProblemAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
# API tokens are stored hashed (django-rest-knox) in reportflow's own table, where each has an
# id to be listed and revoked by; knox's migrations would only create its unused default table.
KNOX_TOKEN_MODEL = "reportflow.ApiTokenRecord"
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=ENV.token_ttl_days) if ENV.token_ttl_days else None,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "reportflow API",
    "DESCRIPTION": "Upload tabular reports, follow their jobs, read the results.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # request components of their own, so an upload's `file` is `format: binary`
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "ENUM_NAME_OVERRIDES": {
        "JobStatus": "adapters.api.representations.JOB_STATUSES",
        "ProblemType": "adapters.api.problems.problem_type_uris",
        "JobPriority": ["normal", "high"],
        "RateLimitPolicy": ["user", "global"],
        "WebhookEvent": "adapters.api.webhooks.WEBHOOK_EVENTS",
        "WebhookEventType": "adapters.api.webhooks.EVENT_TYPES",
    },
}

# --- Celery (read by config.celery with namespace "CELERY") ---------------------------
CELERY_BROKER_URL = ENV.broker_url
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, and comes back if its worker process dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# a pool process whose resident memory passed this (KiB) after a task is replaced
CELERY_WORKER_MAX_MEMORY_PER_CHILD = ENV.worker_max_memory_per_child_mb * 1024 or None
WORKER_MEMORY_LIMIT_MB = ENV.worker_memory_limit_mb
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps reconnecting to the broker for as long as it is away (the default gives
# up after 100 tries, about 46 minutes, and stops the worker).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Bound every broker call, so a slow or absent broker cannot hold a caller for long.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
if ENV.uses_embedded_broker:
    CELERY_BROKER_TRANSPORT = "adapters.celery.filesystem_transport:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(ENV.broker_dir / "queue"),
        "data_folder_out": str(ENV.broker_dir / "queue"),
        "processed_folder": str(ENV.broker_dir / "processed"),
        "control_folder": str(ENV.broker_dir / "control"),
        "store_processed": True,
        "polling_interval": 0.2,
    }
else:
    if ENV.broker_url.startswith(("redis://", "rediss://")):
        CELERY_BROKER_TRANSPORT = "adapters.celery.redis_transport:Transport"  # one client per channel
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": ENV.visibility_timeout_seconds,
        "socket_timeout": 5,
        "socket_connect_timeout": 2,
        "socket_keepalive": True,
        "health_check_interval": 10,
    }

CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "jobs.relay_outbox",
        "schedule": ENV.relay_interval_seconds,
        "options": {"queue": "engine", "expires": ENV.relay_interval_seconds * 5},
    },
    "reconcile-jobs": {
        "task": "jobs.reconcile",
        "schedule": ENV.reconcile_interval_seconds,
        "options": {"queue": "engine", "expires": ENV.reconcile_interval_seconds * 5},
    },
    "housekeeping": {"task": "jobs.housekeeping", "schedule": 3600.0, "options": {"queue": "engine"}},
    "retention": {"task": "jobs.retention", "schedule": 600.0, "options": {"queue": "engine", "expires": 600.0}},
    "fire-schedules": {
        "task": "schedules.fire",
        "schedule": ENV.schedule_fire_interval_seconds,
        "options": {"queue": "engine", "expires": ENV.schedule_fire_interval_seconds * 5},
    },
}
# Beat sends these only while it holds the scheduler lease: a second beat waits as a standby.
CELERY_BEAT_SCHEDULER = "adapters.celery.beat:LeasedScheduler"
# The engine's own tasks (relay, reconciler, housekeeping, schedules) have a queue of their
# own, so no backlog of jobs can delay them; jobs are routed by the kind registry (their
# delivery names their queue: high, default, bulk, notifications).
CELERY_TASK_ROUTES = {"jobs.*": {"queue": "engine"}, "schedules.*": {"queue": "engine"}}


REPORT_MAX_ATTEMPTS = ENV.report_max_attempts
RETRY_BASE_SECONDS = ENV.retry_base_seconds
RETRY_CAP_SECONDS = ENV.retry_cap_seconds
REPORT_ENGINE = ENV.report_engine
FAN_OUT_BYTES = ENV.fan_out_bytes
CHUNK_BYTES = ENV.chunk_bytes
BRIEF_ATTEMPT_BYTES = ENV.brief_attempt_bytes
DATABASE_DOCUMENTS_BYTES = ENV.database_documents_bytes
LEASE_SECONDS = ENV.lease_seconds
CANCEL_CHECK_SECONDS = ENV.cancel_check_seconds
USER_MAX_RUNNING = ENV.user_max_running
USER_STARTS_PER_MINUTE = ENV.user_starts_per_minute
USER_DISPATCH_WINDOW = ENV.user_dispatch_window
# --- Controls: submission rate limits, quotas, backlog, retention (README, "Controls") ---
SUBMIT_RATE_LIMIT = ENV.submit_rate_limit
GLOBAL_SUBMIT_RATE_LIMIT = ENV.global_submit_rate_limit
# the rate counters' Redis: as set, else the broker's when it is Redis (keys of their own,
# which expire), else none: the counters live in the database
RATE_LIMIT_REDIS_URL = ENV.rate_limit_redis_url or ("" if ENV.uses_embedded_broker else ENV.broker_url)
USER_MAX_QUEUED = ENV.user_max_queued
USER_MAX_STORED_BYTES = ENV.user_max_stored_bytes
MAX_BACKLOG = ENV.max_backlog
RETENTION_DAYS = ENV.retention_days
BULK_ABOVE_BYTES = ENV.bulk_above_bytes
REPORT_SOFT_TIME_LIMIT_SECONDS = ENV.report_soft_time_limit_seconds
REPORT_TIME_LIMIT_SECONDS = ENV.report_time_limit_seconds
REDELIVERY_AFTER_SECONDS = ENV.redelivery_after_seconds
SCHEDULER_LEASE_SECONDS = ENV.scheduler_lease_seconds
SCHEDULE_CLOCK = ENV.schedule_clock

# --- Notifications ----------------------------------------------------------------------
PUBLIC_BASE_URL = ENV.public_base_url
WEBHOOK_ALLOWED_NETWORKS = ENV.webhook_allowed_networks
WEBHOOK_MAX_ATTEMPTS = ENV.webhook_max_attempts
WEBHOOK_DISABLE_AFTER_FAILURES = ENV.webhook_disable_after_failures
WEBHOOK_SECRET_GRACE_SECONDS = ENV.webhook_secret_grace_seconds
WEBHOOK_CONNECT_TIMEOUT_SECONDS = ENV.webhook_connect_timeout_seconds
WEBHOOK_READ_TIMEOUT_SECONDS = ENV.webhook_read_timeout_seconds
EMAIL_MAX_ATTEMPTS = ENV.email_max_attempts
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if ENV.email_host
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = ENV.email_host or "localhost"
EMAIL_PORT = ENV.email_port
EMAIL_HOST_USER = ENV.email_host_user
EMAIL_HOST_PASSWORD = ENV.email_host_password
EMAIL_USE_TLS = ENV.email_use_tls
EMAIL_TIMEOUT = ENV.email_timeout_seconds
DEFAULT_FROM_EMAIL = ENV.default_from_email
METRICS_TOKEN = ENV.metrics_token
METRICS_DIR = ENV.metrics_base
WORKER_METRICS_PORT = ENV.worker_metrics_port
WORKER_METRICS_ADDRESS = ENV.worker_metrics_address
WORKER_HEARTBEAT_FILE = ENV.heartbeat_file
WORKER_HEARTBEAT_SECONDS = ENV.worker_heartbeat_seconds

# structlog renders every line, ours and the libraries', alike (README, "Logs")
LOG_FORMAT = ENV.effective_log_format
LOGGING = logs.configure(log_format=LOG_FORMAT, level=ENV.log_level)
