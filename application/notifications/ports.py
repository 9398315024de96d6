"""What notifications need from the outside: name resolution, an HTTP sender that connects to
the address it is given, Standard Webhooks signatures, a mailer, and the API's links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from application.jobs.read_models import JobView
from domain.notifications.destination import IPAddress


class HostNotResolved(Exception):
    """The name did not resolve now (unknown, or the resolver failed)."""


class HostResolver(Protocol):
    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` resolves to. Raises HostNotResolved."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookRequest:
    url: str
    address: IPAddress  # connect here, and nowhere else: the address that was checked
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookExchange:
    """What came back: a status code, or no answer and why."""

    status: int | None
    latency_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        if self.status is None:
            return f"no answer after {self.latency_ms} ms: {self.error}"
        return f"HTTP {self.status} after {self.latency_ms} ms"


class WebhookSender(Protocol):
    def send(self, request: WebhookRequest) -> WebhookExchange:
        """POST once, following no redirect, with bounded timeouts and answer size; a network
        failure is an exchange without status, never an exception."""


class WebhookSigner(Protocol):
    def sign(self, *, secrets: Sequence[str], message_id: str, timestamp: datetime, body: str) -> str:
        """The `webhook-signature` header: one signature per secret, space-separated."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailMessage:
    to: str
    subject: str
    body: str
    message_id: str  # the same on every attempt: receivers' mail systems drop duplicates
    headers: dict[str, str] = field(default_factory=dict)


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Raises TransientError when trying again may help, PermanentError when it cannot."""


class Links(Protocol):
    """Absolute URLs of the API's resources, for what leaves the service (webhooks, e-mail)."""

    def job(self, job: JobView) -> dict[str, str]:
        """The job's links as the API shows them (its report and, once done, the result)."""
