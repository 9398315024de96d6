import os

from django.core.wsgi import get_wsgi_application

from adapters.observability import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
tracing.configure()  # only when the OTEL_* variables ask for traces; before the middleware loads
application = get_wsgi_application()
