"""Which job ends a user wants an e-mail about, and where to send it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.notifications.errors import EmailAddressRequired
from domain.notifications.events import EventType

_FAILURES = frozenset({EventType.JOB_FAILED, EventType.JOB_DEAD})


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailPreferences:
    owner_id: int
    email: str = ""
    on_success: bool = False
    on_failure: bool = False  # failed for good, or dead after its last attempt

    def __post_init__(self) -> None:
        if (self.on_success or self.on_failure) and not self.email:
            raise EmailAddressRequired("opting in to e-mail notifications needs an e-mail address")

    def wants(self, event: EventType) -> bool:
        if event is EventType.JOB_SUCCEEDED:
            return self.on_success
        return self.on_failure and event in _FAILURES
