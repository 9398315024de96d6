"""The dead-letter queue by cause: dead jobs grouped by fingerprint, each group replayed on its
own after a dry run (application.jobs.dead_letter_groups decides what a cause is)."""

from __future__ import annotations

import uuid

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from adapters.admin import operations
from adapters.admin.jobs import REVIEW_LIMIT, replay_review
from adapters.orm.models import JobEventRecord, JobRecord
from application.jobs.dead_letter_groups import DeadLetter, DeadLetterGroup, group_dead_letters
from domain.job_status import JobStatus

SCAN_LIMIT = 20_000  # the most recent dead jobs grouped; older ones wait for these to be handled


def dead_letters(limit: int = SCAN_LIMIT) -> list[DeadLetter]:
    """The most recent dead jobs, each with the error type of the attempt that killed it."""
    death = JobEventRecord.objects.filter(job=OuterRef("pk"), to_status=JobStatus.DEAD.value).order_by("-seq")
    rows = (
        JobRecord.objects.filter(status=JobStatus.DEAD.value)
        .order_by("-created_at", "-id")  # the partial index job_dead_newest
        .annotate(error_type=Subquery(death.values(type=KT("data__error_type"))[:1]))
        .values_list("id", "kind", "error", "error_type", "finished_at", "updated_at")[:limit]
    )
    return [
        DeadLetter(
            job_id=job_id, kind=kind, error=error, error_type=error_type or "", died_at=finished_at or updated_at
        )
        for job_id, kind, error, error_type, finished_at, updated_at in rows
    ]


def group_list(request: HttpRequest) -> TemplateResponse:
    groups = group_dead_letters(dead_letters())
    context = {
        **admin.site.each_context(request),
        "title": "Dead letters by cause",
        "groups": groups,
        "total": sum(group.count for group in groups),
        "scan_limit": SCAN_LIMIT,
    }
    return TemplateResponse(request, "admin/console/dead_letters.html", context)


def _group(key: str) -> DeadLetterGroup:
    for group in group_dead_letters(dead_letters()):
        if group.fingerprint.key == key:
            return group
    raise Http404("no dead letters with this cause (any more)")


def group_replay(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the dry run, the jobs a replay of this cause would put back in the queue. POST:
    replay the jobs the dry run listed that are still dead with this cause."""
    back = reverse("admin:dead_letters")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            group = _group(key)
        except Http404:
            return HttpResponseRedirect(back)
        listed = {_uuid(value) for value in request.POST.getlist("job")}
        ids = [job_id for job_id in group.job_ids if job_id in listed]
        operations.report(request, operations.replay_jobs(request, ids), "Replayed")
        return HttpResponseRedirect(back)
    group = _group(key)
    jobs = list(JobRecord.objects.filter(pk__in=group.job_ids[:REVIEW_LIMIT]).select_related("owner"))
    jobs.sort(key=lambda job: group.job_ids.index(job.pk))
    fingerprint = group.fingerprint
    return replay_review(
        request, jobs, title=f"Replay dead letters: {fingerprint.error_type} in {fingerprint.kind}", cancel_url=back
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
