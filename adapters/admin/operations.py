"""What an operator does to jobs, through the same use cases as the API, as themself: the
audit trail names the staff user (user:<id>)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest

from adapters.admin.permissions import operator_id
from application.errors import ApplicationError
from application.jobs.commands import JobCommand
from application.jobs.read_models import JobView
from config.container import container
from domain.errors import DomainError


@dataclass
class Outcome:
    done: list[JobView] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why, one line per job


def _each(
    request: HttpRequest, job_ids: Iterable[UUID], handler: Callable[[], Callable[[JobCommand], JobView]]
) -> Outcome:
    outcome = Outcome()
    for job_id in job_ids:
        try:
            outcome.done.append(handler()(JobCommand(job_id=job_id, owner_id=operator_id(request), is_staff=True)))
        except (ApplicationError, DomainError) as exc:
            outcome.refused.append(str(exc))
    return outcome


def replay_jobs(request: HttpRequest, job_ids: Iterable[UUID]) -> Outcome:
    """Each job replayed in its own transaction, so one refusal does not undo the others."""
    return _each(request, job_ids, container.replay_job)


def cancel_jobs(request: HttpRequest, job_ids: Iterable[UUID]) -> Outcome:
    return _each(request, job_ids, container.cancel_job)


def report(request: HttpRequest, outcome: Outcome, verb: str) -> None:
    """Tell the operator what happened, as admin messages."""
    if outcome.done:
        messages.success(request, f"{verb} {len(outcome.done)} job(s).")
    for reason in outcome.refused[:20]:
        messages.warning(request, f"Not {verb.lower()}: {reason}")
    if len(outcome.refused) > 20:
        messages.warning(request, f"... and {len(outcome.refused) - 20} more not {verb.lower()}.")
