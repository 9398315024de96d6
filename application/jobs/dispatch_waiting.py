"""The scheduled admission pass: start what owners' limits now allow.

A retry that came due, a start budget that refilled, a slot freed by a job that ended in a
transaction that could not see this owner's backlog: each waits here until the next pass
(the relay's schedule, every second by default). Owners whose job has waited longest go first.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from application import actors
from application.jobs.transition import JobTransitions
from domain.ports import Clock, UnitOfWork

DISPATCHER = f"{actors.SYSTEM}:dispatcher"


class DispatchReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    owners: int
    dispatched: int


class DispatchWaitingJobsHandler:
    def __init__(self, *, uow: UnitOfWork, transitions: JobTransitions, clock: Clock, batch_size: int = 100) -> None:
        self._uow = uow
        self._transitions = transitions
        self._clock = clock
        self._batch_size = batch_size

    def __call__(self) -> DispatchReport:
        kinds = [kind.name for kind in self._transitions.kinds]
        with self._uow as uow:
            transition = self._transitions.begin(uow, now=self._clock.now(), actor=DISPATCHER)
            owners = uow.jobs.owners_waiting(transition.now, kinds=kinds, limit=self._batch_size)
            for owner_id in owners:
                transition.consider(owner_id)
            dispatched = transition.commit()
        return DispatchReport(owners=len(owners), dispatched=dispatched)
