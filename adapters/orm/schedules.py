"""Schedules, their run records and the scheduler lease over the Django ORM."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q

from adapters.orm.models import ScheduledRunRecord, ScheduleRecord, SchedulerLeaseRecord
from domain.cron import CronExpression
from domain.errors import DuplicateScheduledRun
from domain.ports import JobCursor, ScheduledRun
from domain.schedule import Schedule, SchedulerLease


def record_to_schedule(record: ScheduleRecord) -> Schedule:
    return Schedule(
        id=record.id,
        owner_id=record.owner_id,
        report_id=record.report_id,
        name=record.name,
        cron=CronExpression.parse(record.cron),
        timezone=record.timezone,
        enabled=record.enabled,
        disabled_reason=record.disabled_reason,
        next_run_at=record.next_run_at,
        last_run_at=record.last_run_at,
        last_job_id=record.last_job_id,
        runs=record.runs,
        skipped_ticks=record.skipped_ticks,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def schedule_fields(schedule: Schedule) -> dict[str, object]:
    return {
        "owner_id": schedule.owner_id,
        "report_id": schedule.report_id,
        "name": schedule.name,
        "cron": schedule.cron.text,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
        "disabled_reason": schedule.disabled_reason,
        "next_run_at": schedule.next_run_at,
        "last_run_at": schedule.last_run_at,
        "last_job_id": schedule.last_job_id,
        "runs": schedule.runs,
        "skipped_ticks": schedule.skipped_ticks,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
    }


class DjangoScheduleRepository:
    def add(self, schedule: Schedule) -> None:
        ScheduleRecord.objects.create(id=schedule.id, **schedule_fields(schedule))

    def save(self, schedule: Schedule) -> None:
        ScheduleRecord.objects.filter(id=schedule.id).update(**schedule_fields(schedule))

    def delete(self, schedule_id: UUID) -> None:
        ScheduleRecord.objects.filter(id=schedule_id).delete()

    def running_from(self, report_id: UUID) -> list[UUID]:
        return list(
            ScheduleRecord.objects.filter(report_id=report_id).order_by("created_at", "id").values_list("id", flat=True)
        )

    def get_for_owner(self, schedule_id: UUID, owner_id: int, *, for_update: bool = False) -> Schedule | None:
        records = ScheduleRecord.objects.select_for_update() if for_update else ScheduleRecord.objects
        record = records.filter(id=schedule_id, owner_id=owner_id).first()
        return record_to_schedule(record) if record else None

    def list_for_owner(self, owner_id: int, *, after: JobCursor | None = None, limit: int = 50) -> list[Schedule]:
        records = ScheduleRecord.objects.filter(owner_id=owner_id)
        if after is not None:
            records = records.filter(
                Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.job_id)
            )
        return [record_to_schedule(r) for r in records.order_by("-created_at", "-id")[:limit]]

    def next_due(self, now: datetime) -> Schedule | None:
        # the domain's rule (Schedule.is_due): enabled, with a next run at or before now
        record = (
            ScheduleRecord.objects.select_for_update(skip_locked=True)
            .filter(enabled=True, next_run_at__lte=now)
            .order_by("next_run_at", "id")
            .first()
        )
        return record_to_schedule(record) if record else None

    def add_run(self, run: ScheduledRun) -> None:
        try:
            with transaction.atomic():
                ScheduledRunRecord.objects.create(
                    schedule_id=run.schedule_id,
                    scheduled_for=run.scheduled_for,
                    report_id=run.report_id,
                    job_id=run.job_id,
                    skipped=run.skipped,
                    created_at=run.created_at,
                )
        except IntegrityError as exc:
            raise DuplicateScheduledRun(
                f"schedule {run.schedule_id} already ran for {run.scheduled_for.isoformat()}"
            ) from exc

    def runs(self, schedule_id: UUID) -> list[ScheduledRun]:
        return [
            ScheduledRun(
                schedule_id=r.schedule_id,
                scheduled_for=r.scheduled_for,
                report_id=r.report_id,
                job_id=r.job_id,
                skipped=r.skipped,
                created_at=r.created_at,
            )
            for r in ScheduledRunRecord.objects.filter(schedule_id=schedule_id).order_by("scheduled_for")
        ]


class DjangoSchedulerLeaseRepository:
    def get(self, name: str, *, for_update: bool = False) -> SchedulerLease:
        # the migration inserts the row, so two schedulers starting together never race to create it
        records = SchedulerLeaseRecord.objects.select_for_update() if for_update else SchedulerLeaseRecord.objects
        record = records.filter(name=name).first()
        if record is None:
            return SchedulerLease(name=name)
        return SchedulerLease(name=record.name, holder=record.holder, expires_at=record.expires_at)

    def save(self, lease: SchedulerLease) -> None:
        SchedulerLeaseRecord.objects.update_or_create(
            name=lease.name, defaults={"holder": lease.holder, "expires_at": lease.expires_at}
        )
