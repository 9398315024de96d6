import os

from django.core.wsgi import get_wsgi_application

from adapters.observability import tracing
from config.gc_freeze import freeze_start_up_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
tracing.configure()  # only when the OTEL_* variables ask for traces; before the middleware loads
application = get_wsgi_application()
freeze_start_up_objects()  # each gunicorn worker loads this module once, before its first request
