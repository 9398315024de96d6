"""`manage.py verify_audit [--job ID]`: recompute every job's audit hash chain (domain.audit)
and exit non-zero naming the first broken event of each job whose chain does not hold."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.orm.mappers import record_to_event
from adapters.orm.models import JobEventRecord, JobRecord
from domain.audit import BrokenChain, first_break

BATCH = 500


def broken_chains(job_id: uuid.UUID | None = None) -> Iterator[tuple[uuid.UUID, BrokenChain]]:
    """(job id, first break) of every job (or only `job_id`) whose chain does not verify."""
    jobs = JobRecord.objects.order_by("id").values_list("id", "last_event_hash")
    if job_id is not None:
        jobs = jobs.filter(id=job_id)
    rows = jobs.iterator(chunk_size=BATCH)
    while batch := list(itertools.islice(rows, BATCH)):
        last_hashes = dict(batch)
        events = JobEventRecord.objects.filter(job_id__in=last_hashes).order_by("job_id", "seq")
        by_job = {
            key: [record_to_event(record) for record in group]
            for key, group in itertools.groupby(events, key=lambda record: record.job_id)
        }
        for each, last_hash in batch:
            if (found := first_break(by_job.get(each, []), last_hash=last_hash)) is not None:
                yield each, found


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of every job's audit trail (or of one job with --job) and exit non-zero, "
        "naming the first broken event of each job, when an event was changed, removed or inserted "
        "behind the database's append-only triggers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", type=uuid.UUID, help="the id of the one job to verify")

    def handle(self, *args: Any, job: uuid.UUID | None, **options: Any) -> None:
        if job is not None and not JobRecord.objects.filter(id=job).exists():
            raise CommandError(f"no job {job}")
        broken = 0
        for job_id, found in broken_chains(job):
            broken += 1
            self.stderr.write(f"job {job_id}: event {found.seq} breaks the audit chain: {found.reason}")
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken")
        self.stdout.write("audit chains verified" if job is None else f"audit chain of job {job} verified")
