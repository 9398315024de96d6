"""Who may see and do what in the console: active staff see everything; nobody edits history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


def is_operator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


def operator_id(request: HttpRequest) -> int:
    """The signed-in staff member, as the use cases name who acts (their audit trail's actor)."""
    user_id = request.user.pk
    assert user_id is not None, "the console's views are for signed-in staff only"
    return int(user_id)


class OperatorViewMixin:
    """Every staff member may look (the API already shows staff every owner's jobs)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request)


class HistoryAdmin(OperatorViewMixin, admin.ModelAdmin):
    """A record of what happened: listed and shown, never added, changed or deleted here."""

    show_full_result_count = False  # no COUNT(*) over the whole table on every page
    show_facets = admin.ShowFacets.NEVER  # nor one per filter choice

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryInline(OperatorViewMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
