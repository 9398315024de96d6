"""Settings for the test run: the real settings, pointed at test services and a temp folder."""

import os
import secrets
import tempfile

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reportflow")
# production settings, less the https redirect: the test client speaks plain http
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="reportflow-tests-"))
os.environ.setdefault("MAX_UPLOAD_BYTES", str(1024 * 1024))

from config.settings import *  # noqa: F403

# Nothing in the Django-level tests may ring a real broker by accident. (Set here, not in
# the environment: Celery lets CELERY_BROKER_URL in the environment beat every setting.)
CELERY_BROKER_URL = "memory://localhost/"
CELERY_BROKER_TRANSPORT = None
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
# The Django-level tests run in test transactions, which the background thread's connection
# cannot see: the doorbell rings at once there (the e2e tier and its own test run it for real).
PUBLISH_IN_BACKGROUND = False
# Likewise a change notified at commit: their own tests turn the targets' cache on.
CACHE_NOTIFICATION_TARGETS = False
# Mail stays in memory (django.core.mail.outbox) unless a test points it at an SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# One test database per run, so two runs on one machine (a developer's and CI's, or two
# sessions) cannot drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_reportflow_{os.getpid()}"}  # noqa: F405
