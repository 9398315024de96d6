"""Bare Celery: a no-op task on the same Redis, no Django, no database. The ceiling of a drain."""
