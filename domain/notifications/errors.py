"""Errors of the notification rules; the HTTP edge maps each to one problem type."""

from __future__ import annotations

from domain.errors import DomainError


class RefusedDestination(DomainError):
    """A webhook URL that may not be called: not http(s), malformed, or reaching an address
    that is not public (SSRF protection). The message says why, without internal details."""


class EmailAddressRequired(DomainError):
    """Opting in to e-mail notifications needs an address to send them to."""
