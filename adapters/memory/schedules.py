"""Schedules, their run records and the scheduler lease, over the in-memory state."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from adapters.memory.repositories import InMemoryState
from domain.errors import DuplicateScheduledRun
from domain.ports import JobCursor, ScheduledRun
from domain.schedule import Schedule, SchedulerLease


class InMemoryScheduleRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def add(self, schedule: Schedule) -> None:
        if schedule.id in self._state.schedules:
            raise ValueError(f"schedule {schedule.id} exists")
        self.save(schedule)

    def save(self, schedule: Schedule) -> None:
        self._state.schedules[schedule.id] = copy.deepcopy(schedule)

    def delete(self, schedule_id: UUID) -> None:
        self._state.schedules.pop(schedule_id, None)
        self._state.schedule_runs = [run for run in self._state.schedule_runs if run.schedule_id != schedule_id]

    def get_for_owner(self, schedule_id: UUID, owner_id: int, *, for_update: bool = False) -> Schedule | None:
        schedule = self._state.schedules.get(schedule_id)
        return copy.deepcopy(schedule) if schedule and schedule.owner_id == owner_id else None

    def running_from(self, report_id: UUID) -> list[UUID]:
        found = [s for s in self._state.schedules.values() if s.report_id == report_id]
        return [s.id for s in sorted(found, key=lambda s: (s.created_at, s.id))]

    def list_for_owner(self, owner_id: int, *, after: JobCursor | None = None, limit: int = 50) -> list[Schedule]:
        mine = sorted(
            (
                s
                for s in self._state.schedules.values()
                if s.owner_id == owner_id and (after is None or (s.created_at, s.id) < (after.created_at, after.job_id))
            ),
            key=lambda s: (s.created_at, s.id),
            reverse=True,
        )
        return [copy.deepcopy(s) for s in mine[:limit]]

    def next_due(self, now: datetime) -> Schedule | None:
        due = [s for s in self._state.schedules.values() if s.is_due(now)]
        return copy.deepcopy(min(due, key=lambda s: (s.next_run_at, s.id))) if due else None

    def add_run(self, run: ScheduledRun) -> None:
        tick = (run.schedule_id, run.scheduled_for)
        if any((r.schedule_id, r.scheduled_for) == tick for r in self._state.schedule_runs):
            raise DuplicateScheduledRun(f"schedule {run.schedule_id} already ran for {run.scheduled_for.isoformat()}")
        self._state.schedule_runs.append(run)

    def runs(self, schedule_id: UUID) -> list[ScheduledRun]:
        mine = [r for r in self._state.schedule_runs if r.schedule_id == schedule_id]
        return sorted(mine, key=lambda r: r.scheduled_for)


class InMemorySchedulerLeaseRepository:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def get(self, name: str, *, for_update: bool = False) -> SchedulerLease:
        return copy.deepcopy(self._state.scheduler_leases.get(name) or SchedulerLease(name=name))

    def save(self, lease: SchedulerLease) -> None:
        self._state.scheduler_leases[lease.name] = copy.deepcopy(lease)
