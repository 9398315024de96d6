import os

from django.core.wsgi import get_wsgi_application

from adapters.observability import tracing
from config.gc_freeze import collect_after_each_piece_of_work, freeze_start_up_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
tracing.configure()  # only when the OTEL_* variables ask for traces; before the middleware loads
application = get_wsgi_application()


def _ready_to_serve() -> None:
    """What the first submission would pay otherwise, then the start-up objects frozen: each
    gunicorn worker loads this module once, before its first request. A submission checks its
    declared schema with the report engine, whose import (polars and the engine's modules) took
    0.85 s of a worker's first upload here."""
    from config.container import container  # needs the apps loaded above

    container.task_queue().warm_up()
    container.report_engine()
    freeze_start_up_objects()
    collect_after_each_piece_of_work()  # gunicorn.conf.py collects after each request


_ready_to_serve()
