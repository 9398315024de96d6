"""The notification listeners of the job-ended hook, run inside the ending transition.

`NotifyJobEnded`: a top-level job ended (not a chunk or merge, not a notification): fix its
event once, then one webhook delivery job per enabled endpoint of its owner that subscribed,
and an e-mail job if the owner opted in. All of it commits with the end, or not at all.

`CountFailedDeliveries`: a webhook delivery failed for good (failed, or dead after its last
attempt); its endpoint counts it, and the N-th in a row disables it, noted in the log.
"""

from __future__ import annotations

from uuid import UUID

from application import actors
from application.jobs.transition import Transition
from application.notifications.deliveries import schedule_delivery
from application.notifications.events import job_ended_event
from application.notifications.kinds import EMAIL_JOB_KIND, NOTIFICATION_KINDS, WEBHOOK_JOB_KIND
from application.notifications.ports import Links
from application.notifications.settings import NotificationSettings
from domain.job import Job
from domain.job_status import JobStatus
from domain.notifications.events import EventType


class NotifyJobEnded:
    def __init__(self, *, links: Links) -> None:
        self._links = links

    def __call__(self, transition: Transition, job: Job, /) -> None:
        if job.parent_id is not None or job.kind in NOTIFICATION_KINDS:
            return
        uow = transition.uow
        event_type = EventType.of_job_status(job.status)
        targets = uow.notification_targets.of_owner(job.owner_id)
        endpoints = [e for e in targets.endpoints if e.wants(event_type)]
        email = targets.email
        if not endpoints and not email.wants(event_type):
            return
        event = job_ended_event(uow, job, links=self._links)
        uow.notification_events.add(event)
        for endpoint in endpoints:
            schedule_delivery(transition, event, endpoint, actor=actors.SYSTEM)
        if email.wants(event_type):
            mail = transition.kinds.create(
                EMAIL_JOB_KIND,
                owner_id=job.owner_id,
                now=transition.now,
                actor=actors.SYSTEM,
                payload={"event_id": event.id, "to": email.email},
            )
            transition.add(mail)


class CountFailedDeliveries:
    def __init__(self, *, settings: NotificationSettings) -> None:
        self._settings = settings

    def __call__(self, transition: Transition, job: Job, /) -> None:
        if job.kind != WEBHOOK_JOB_KIND or job.status not in (JobStatus.FAILED, JobStatus.DEAD):
            return
        uow = transition.uow
        delivery = uow.webhook_deliveries.get(UUID(str(job.payload["delivery_id"])))
        endpoint = uow.webhook_endpoints.get(delivery.endpoint_id, for_update=True) if delivery else None
        if delivery is None or endpoint is None:
            return  # deleted meanwhile
        disabled = endpoint.record_failed_delivery(
            now=transition.now, disable_after=self._settings.disable_after_failures
        )
        uow.webhook_endpoints.save(endpoint)
        if disabled:
            delivery.note = f"endpoint {endpoint.disabled_reason}"
            uow.webhook_deliveries.save(delivery)
