"""The outside world: Django ORM, DRF, Celery, storage, analysis, and in-memory fakes."""
