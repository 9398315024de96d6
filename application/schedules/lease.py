"""The scheduler lease: a scheduler (a beat process) fires schedules only while it holds it,
so a second one started by mistake, or as a standby, stays idle until the first stops."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from application.schedules.settings import SCHEDULER_LEASE, SchedulerSettings
from domain.ports import Clock, UnitOfWork


class ClaimSchedulerLease(BaseModel):
    model_config = ConfigDict(frozen=True)

    holder: str = Field(min_length=1, max_length=255)


class SchedulerLeaseState(BaseModel):
    model_config = ConfigDict(frozen=True)

    held: bool  # by the one who asked
    holder: str
    expires_at: datetime | None


class ClaimSchedulerLeaseHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock, settings: SchedulerSettings) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings

    def __call__(self, cmd: ClaimSchedulerLease) -> SchedulerLeaseState:
        """Take the lease if it is free or expired, renew it if `holder` has it."""
        with self._uow as uow:
            lease = uow.scheduler_leases.get(SCHEDULER_LEASE, for_update=True)
            held = lease.claim(cmd.holder, now=self._clock.now(), seconds=self._settings.lease_seconds)
            if held:
                uow.scheduler_leases.save(lease)
                uow.commit()
        return SchedulerLeaseState(held=held, holder=lease.holder, expires_at=lease.expires_at)


class ReleaseSchedulerLeaseHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: ClaimSchedulerLease) -> None:
        """A scheduler that stops cleanly lets the lease go, so a standby takes over at once."""
        with self._uow as uow:
            lease = uow.scheduler_leases.get(SCHEDULER_LEASE, for_update=True)
            lease.release(cmd.holder, now=self._clock.now())
            uow.scheduler_leases.save(lease)
            uow.commit()
