"""E-mail notifications: an idempotent delivery job with a stable Message-ID."""

from __future__ import annotations

import pytest

from application.notifications.email_preferences import (
    ChangeEmailPreferences,
    ChangeEmailPreferencesHandler,
    GetEmailPreferences,
    GetEmailPreferencesHandler,
)
from application.notifications.kinds import EMAIL_JOB_KIND
from domain.errors import InvalidReportFile, PermanentError, TransientError
from domain.job_status import JobStatus
from domain.notifications.errors import EmailAddressRequired
from tests.unit.application.conftest import World
from tests.unit.application.notifications.conftest import deliver_all, events_of


def opt_in(world: World, **fields: object) -> object:
    return ChangeEmailPreferencesHandler(uow=world.uow)(ChangeEmailPreferences(owner_id=1, **fields))  # type: ignore[arg-type]


def email_jobs(world: World) -> list[object]:
    return [job for job in world.uow.state.jobs.values() if job.kind == EMAIL_JOB_KIND]


def test_an_opted_in_owner_is_mailed_when_a_report_succeeds(world: World) -> None:
    opt_in(world, email="alice@example.com", email_on_success=True)
    submitted = world.submit()

    world.run_queue()

    [event] = events_of(world)
    [mail] = world.mailer.sent
    assert mail.to == "alice@example.com"
    assert mail.message_id == f"<{event.id}@reportflow.localhost>"
    assert mail.subject == "[reportflow] report 'data.csv' succeeded"
    assert f"https://reportflow.test/api/v1/jobs/{submitted.job.id}/" in mail.body
    assert f"https://reportflow.test/api/v1/reports/{submitted.report_id}/result/" in mail.body


def test_a_mail_retried_after_a_transient_error_keeps_its_message_id_and_content(world: World) -> None:
    opt_in(world, email="alice@example.com", email_on_failure=True)
    world.mailer.errors.append(TransientError("the mail server is unavailable"))
    submitted = world.submit()
    world.fail_next(InvalidReportFile("not a table"))
    world.process(submitted.job.id, 1)

    deliver_all(world)

    [job] = email_jobs(world)
    [mail] = world.mailer.sent
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)  # type: ignore[attr-defined]
    assert mail.subject == "[reportflow] report 'data.csv' failed"
    assert "Error:   not a table" in mail.body


def test_a_mail_refused_for_good_fails_its_job_without_retrying(world: World) -> None:
    opt_in(world, email="nobody@example.com", email_on_success=True)
    world.mailer.errors.append(PermanentError("the mail server refused nobody@example.com"))
    world.submit()

    deliver_all(world)

    [job] = email_jobs(world)
    assert (job.status, job.attempts, world.mailer.sent) == (JobStatus.FAILED, 1, [])  # type: ignore[attr-defined]


def test_opting_in_needs_an_address_and_a_partial_change_keeps_the_rest(world: World) -> None:
    with pytest.raises(EmailAddressRequired):
        opt_in(world, email_on_success=True)

    opt_in(world, email="alice@example.com", email_on_failure=True)
    opt_in(world, email_on_success=True)

    shown = GetEmailPreferencesHandler(uow=world.uow)(GetEmailPreferences(owner_id=1))
    assert shown.model_dump() == {"email": "alice@example.com", "email_on_success": True, "email_on_failure": True}
