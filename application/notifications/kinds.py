"""The notification job kinds: one webhook delivery, one e-mail. Both run on their own queue,
so a slow receiver never delays reports, and retry with the engine's backoff."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.jobs.registry import JobKind

WEBHOOK_JOB_KIND = "webhook.deliver"
EMAIL_JOB_KIND = "email.deliver"
NOTIFICATION_KINDS = frozenset({WEBHOOK_JOB_KIND, EMAIL_JOB_KIND})


class NotificationKindSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    queue: str = "notifications"
    webhook_max_attempts: int = Field(default=10, ge=1)
    email_max_attempts: int = Field(default=5, ge=1)
    # one attempt is one request (bounded by its own timeouts) or one SMTP conversation
    soft_time_limit_seconds: float = Field(default=60, gt=0)
    time_limit_seconds: float = Field(default=90, gt=0)


def notification_job_kinds(settings: NotificationKindSettings) -> list[JobKind]:
    """Deliveries are the engine's work on the owner's behalf, short and on their own queue:
    the owner's execution limits do not hold them back."""
    common = settings.model_dump(include={"queue", "soft_time_limit_seconds", "time_limit_seconds"})
    common["owner_limits"] = False
    webhook = JobKind(
        name=WEBHOOK_JOB_KIND, task="notifications.webhook", max_attempts=settings.webhook_max_attempts, **common
    )
    email = JobKind(name=EMAIL_JOB_KIND, task="notifications.email", max_attempts=settings.email_max_attempts, **common)
    return [webhook, email]
