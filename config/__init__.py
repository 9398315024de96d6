"""Composition: Django settings, the Celery app, URLs, WSGI, and the dependency container."""
