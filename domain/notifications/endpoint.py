"""A webhook endpoint: where a user wants events sent, which ones, and the secret that signs them."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.notifications.events import JOB_EVENTS, EventType

SECRET_PREFIX = "whsec_"


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningSecret:
    """A Standard Webhooks symmetric secret: "whsec_" and the base64 of 32 random bytes."""

    value: str

    @classmethod
    def generate(cls) -> SigningSecret:
        return cls(value=SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode())

    def __repr__(self) -> str:  # never in logs or tracebacks
        return "SigningSecret(...)"


def subscribable(events: Iterable[EventType]) -> frozenset[EventType]:
    """The events as a set an endpoint may hold: at least one, and only job events."""
    chosen = frozenset(events)
    if not chosen or not chosen <= JOB_EVENTS:
        raise ValueError(f"an endpoint subscribes to one or more of {sorted(JOB_EVENTS)}")
    return chosen


@dataclass(kw_only=True, eq=False)
class WebhookEndpoint:
    """Guards its own state: enabled or disabled (by its owner, after too many failed
    deliveries in a row, or at once when it answers 410 Gone), and its secrets. After a
    rotation the previous secret keeps signing until its grace period ends, so receivers
    can switch without losing a delivery."""

    id: UUID
    owner_id: int
    url: str
    events: frozenset[EventType]
    secret: SigningSecret
    created_at: datetime
    updated_at: datetime
    enabled: bool = True
    previous_secret: SigningSecret | None = None
    previous_secret_expires_at: datetime | None = None
    consecutive_failures: int = 0  # deliveries that failed for good since the last success
    disabled_reason: str = ""
    disabled_at: datetime | None = None

    @classmethod
    def create(
        cls, *, id: UUID, owner_id: int, url: str, events: Iterable[EventType], secret: SigningSecret, now: datetime
    ) -> WebhookEndpoint:
        return cls(
            id=id,
            owner_id=owner_id,
            url=url,
            events=subscribable(events),
            secret=secret,
            created_at=now,
            updated_at=now,
        )

    def wants(self, event: EventType) -> bool:
        return self.enabled and event in self.events

    def signing_secrets(self, now: datetime) -> list[SigningSecret]:
        """The secrets that sign a delivery made at `now`: the current one, and the previous
        one while its grace period lasts."""
        previous = self.previous_secret
        expires = self.previous_secret_expires_at
        if previous is None or expires is None or expires <= now:
            return [self.secret]
        return [self.secret, previous]

    def rotate_secret(self, new: SigningSecret, *, now: datetime, grace_seconds: float) -> None:
        """Sign with `new` from now on, and with the current secret too for `grace_seconds`."""
        if grace_seconds < 0:
            raise ValueError("the grace period cannot be negative")
        self.previous_secret, self.secret = self.secret, new
        self.previous_secret_expires_at = now + timedelta(seconds=grace_seconds)
        self.updated_at = now

    def change(
        self,
        *,
        now: datetime,
        url: str | None = None,
        events: Iterable[EventType] | None = None,
        enabled: bool | None = None,
    ) -> None:
        """What its owner may change. Enabling it again forgets the failures that disabled it."""
        if url is not None:
            self.url = url
        if events is not None:
            self.events = subscribable(events)
        if enabled is True and not self.enabled:
            self.enabled = True
            self.consecutive_failures = 0
            self.disabled_reason, self.disabled_at = "", None
        elif enabled is False and self.enabled:
            self.disable("disabled by its owner", now=now)
        self.updated_at = now

    def record_success(self, *, now: datetime) -> bool:
        """A delivery got a 2xx answer: the failures in a row start again from zero.
        True when that changed something to save."""
        if self.consecutive_failures == 0:
            return False
        self.consecutive_failures = 0
        self.updated_at = now
        return True

    def record_failed_delivery(self, *, now: datetime, disable_after: int) -> bool:
        """A delivery failed for good. True when this failure disabled the endpoint: it was
        the `disable_after`-th in a row. A disabled endpoint counts nothing."""
        if not self.enabled:
            return False
        self.consecutive_failures += 1
        self.updated_at = now
        if self.consecutive_failures < disable_after:
            return False
        self.disable(f"disabled after {self.consecutive_failures} failed deliveries in a row", now=now)
        return True

    def gone(self, *, now: datetime) -> bool:
        """The endpoint answered 410 Gone: it is disabled at once. True if it was enabled."""
        if not self.enabled:
            return False
        self.disable("disabled: the endpoint answered 410 Gone", now=now)
        return True

    def disable(self, reason: str, *, now: datetime) -> None:
        self.enabled = False
        self.disabled_reason = reason
        self.disabled_at = now
        self.updated_at = now
