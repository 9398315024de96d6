"""The console's admin site: Django's, with the dead letters by cause beside the models."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path, reverse


class ConsoleSite(admin.AdminSite):
    site_header = "reportflow operator console"
    site_title = "reportflow console"
    index_title = "Jobs, dead letters, webhooks and schedules"

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from adapters.admin import dead_letters  # the views need the app registry

        own: list[URLResolver | URLPattern] = [
            path("dead-letters/", self.admin_view(dead_letters.group_list), name="dead_letters"),
            path("dead-letters/<str:key>/", self.admin_view(dead_letters.group_replay), name="dead_letter_group"),
        ]
        return own + super().get_urls()

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == "reportflow":
                app["models"].insert(
                    0,
                    {
                        "name": "Dead letters by cause",
                        "object_name": "DeadLetters",
                        "admin_url": reverse("admin:dead_letters", current_app=self.name),
                        "add_url": None,
                        "view_only": True,
                        "perms": {"view": True},
                    },
                )
        return apps
