"""Errors of the notification use cases; the HTTP edge maps each to one problem type."""

from __future__ import annotations

from application.errors import ApplicationError


class EndpointDisabled(ApplicationError):
    """Nothing is sent to a disabled endpoint, not even on request: enable it first."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the endpoint is disabled ({reason}); enable it first")
        self.reason = reason


class TooManyEndpoints(ApplicationError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"a user may have at most {limit} webhook endpoints")
        self.limit = limit
