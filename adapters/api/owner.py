from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request


def owner_id(request: Request) -> int:
    """The authenticated user's id: every object the API touches is scoped to it."""
    user_id = getattr(request.user, "pk", None)
    if not isinstance(user_id, int):
        raise NotAuthenticated()
    return user_id
