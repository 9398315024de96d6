"""Registers the console's ModelAdmins (Django's admin autodiscovery imports this module)."""

from adapters.admin import history, jobs, schedules, webhooks

__all__ = ["history", "jobs", "schedules", "webhooks"]
