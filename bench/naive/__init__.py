"""The naive reference: a textbook Django + DRF + Celery project with one model, one view
and one task. `make bench` serves it with the same gunicorn, PostgreSQL and Redis as reportflow."""

from bench.naive.celery import app

__all__ = ["app"]
