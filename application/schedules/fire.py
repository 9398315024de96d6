"""Firing: every schedule that is due runs once, as an ordinary report job on its source
report's stored upload. Only the scheduler holding the lease fires; a firing sent by any other
is a no-op.

Each schedule fires in a transaction of its own, which locks it, records the run (unique per
schedule and tick), creates the report and its job and moves the schedule to its next tick.
Whatever fires it, and however often, a tick runs once. Ticks missed while no scheduler ran
are caught up by a single run (Schedule.fire). A schedule whose source upload is gone is
disabled instead, with the reason.
"""

from __future__ import annotations

import logging
import uuid

from pydantic import BaseModel, ConfigDict

from application import actors
from application.jobs.transition import JobTransitions
from application.reports.kinds import REPORT_JOB_KIND
from application.schedules.settings import SCHEDULER_LEASE, SchedulerSettings
from domain.errors import DuplicateScheduledRun
from domain.ports import BlobStore, Clock, ScheduledRun, UnitOfWork
from domain.report import Report
from domain.schedule import Schedule

logger = logging.getLogger(__name__)

SCHEDULER = f"{actors.SYSTEM}:scheduler"
SOURCE_GONE = "the source report or its stored upload no longer exists"


class FireSchedules(BaseModel):
    model_config = ConfigDict(frozen=True)

    scheduler: str = ""  # who sent the firing: it counts only if that one holds the lease


class FireReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    active: bool  # False: the sender does not hold the lease, nothing was done
    fired: int = 0
    skipped_ticks: int = 0
    disabled: int = 0


class FireSchedulesHandler:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        transitions: JobTransitions,
        blobs: BlobStore,
        clock: Clock,
        schedule_clock: Clock,
        settings: SchedulerSettings,
    ) -> None:
        self._uow = uow
        self._transitions = transitions
        self._blobs = blobs
        self._clock = clock  # when the run's report and job are created
        self._schedule_clock = schedule_clock  # which ticks are due (the same clock, but in tests)
        self._settings = settings

    def __call__(self, cmd: FireSchedules) -> FireReport:
        with self._uow as uow:
            holder = uow.scheduler_leases.get(SCHEDULER_LEASE).holder
        if not cmd.scheduler or holder != cmd.scheduler:
            return FireReport(active=False)
        fired = skipped = disabled = 0
        for _ in range(self._settings.batch_size):
            try:
                with self._uow as uow:
                    schedule = uow.schedules.next_due(self._schedule_clock.now())
                    if schedule is None:
                        break
                    run = self._fire(uow, schedule)
            except DuplicateScheduledRun as exc:  # fired elsewhere meanwhile: nothing was written here
                logger.warning("schedules: %s", exc)
                continue
            if run is None:
                disabled += 1
            else:
                fired, skipped = fired + 1, skipped + run.skipped
        return FireReport(active=True, fired=fired, skipped_ticks=skipped, disabled=disabled)

    def _fire(self, uow: UnitOfWork, schedule: Schedule) -> ScheduledRun | None:
        """Run `schedule` once (or disable it when its source is gone), and commit."""
        now = self._schedule_clock.now()
        source = uow.reports.get_for_owner(schedule.report_id, schedule.owner_id)
        if source is None or not self._blobs.exists(source.blob_key):
            schedule.disable(SOURCE_GONE, now=now)
            uow.schedules.save(schedule)
            uow.commit()
            return None
        firing = schedule.fire(now=now)
        transition = self._transitions.begin(uow, now=self._clock.now(), actor=SCHEDULER)
        report_id = uuid.uuid4()
        job = transition.kinds.create(
            REPORT_JOB_KIND,
            owner_id=schedule.owner_id,
            now=transition.now,
            actor=SCHEDULER,
            payload={
                "report_id": str(report_id),
                "schedule_id": str(schedule.id),
                "scheduled_for": firing.scheduled_for.isoformat(),
            },
        )
        run = ScheduledRun(
            schedule_id=schedule.id,
            scheduled_for=firing.scheduled_for,
            report_id=report_id,
            job_id=job.id,
            skipped=firing.skipped,
            created_at=transition.now,
        )
        transition.add(job)
        uow.reports.add(
            Report(
                id=report_id,
                owner_id=schedule.owner_id,
                job_id=job.id,
                name=schedule.name,
                filename=source.filename,
                blob_key=source.blob_key,  # the same stored upload, not a copy
                size_bytes=source.size_bytes,
                content_type=source.content_type,
                created_at=transition.now,
                declared_schema=source.declared_schema,
            )
        )
        uow.schedules.add_run(run)
        schedule.ran_as(job.id)
        uow.schedules.save(schedule)
        transition.commit()
        return run
