"""One attempt of an e-mail job: render the message from the fixed event and hand it to the
mailer. The Message-ID is the event's, so a retry after a lost answer is recognisably the
same message. The mailer's errors say whether another attempt can help."""

from __future__ import annotations

from application.jobs.registry import Recording
from application.notifications.email import email_for
from application.notifications.ports import Mailer
from application.notifications.settings import NotificationSettings
from domain.errors import JobInputMissing
from domain.job import Job
from domain.notifications.events import NotificationEvent
from domain.ports import Checkpoint, UnitOfWork


class SendEmailHandler:
    def __init__(self, *, mailer: Mailer, settings: NotificationSettings) -> None:
        self._mailer = mailer
        self._settings = settings

    def load(self, uow: UnitOfWork, job: Job) -> NotificationEvent:
        event = uow.notification_events.get(str(job.payload["event_id"]))
        if event is None:
            raise JobInputMissing(f"event {job.payload['event_id']} is gone")
        return event

    def runs_briefly(self, job: Job, event: NotificationEvent) -> bool:
        return False  # it talks to a mail server, which no row lock may wait for

    def work(self, job: Job, event: NotificationEvent, checkpoint: Checkpoint) -> None:
        checkpoint(None)
        to = str(job.payload["to"])
        self._mailer.send(email_for(event, to=to, domain=self._settings.message_id_domain))

    def record(self, recording: Recording, job: Job, event: NotificationEvent, done: None) -> None:
        job.succeed(now=recording.now, actor=recording.actor)
