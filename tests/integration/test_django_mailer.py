"""The Django mailer against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from adapters.notifications.mailer import DjangoMailer
from application.notifications.ports import EmailMessage
from domain.errors import PermanentError, TransientError
from tests.e2e.stack import free_port


class Inbox:
    """An SMTP server's handler: keeps what it receives; refuses recipients a test names."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    try:
        yield inbox
    finally:
        controller.stop()


MESSAGE = EmailMessage(
    to="alice@example.com",
    subject="[reportflow] report 'sales.csv' succeeded",
    body="Your report succeeded.\n",
    message_id="<msg_abc@reportflow.localhost>",
    headers={"X-Reportflow-Event": "job.succeeded"},
)


def test_a_mail_reaches_the_smtp_server_with_its_message_id(smtp: Inbox) -> None:
    DjangoMailer(from_email="reportflow <noreply@example.com>").send(MESSAGE)

    [received] = smtp.messages
    assert received["Message-ID"] == "<msg_abc@reportflow.localhost>"
    assert received["To"] == "alice@example.com"
    assert received["From"] == "reportflow <noreply@example.com>"
    assert received["Subject"] == "[reportflow] report 'sales.csv' succeeded"
    assert received["X-Reportflow-Event"] == "job.succeeded"
    assert received.get_content().splitlines() == ["Your report succeeded."]


def test_a_recipient_refused_for_good_is_a_permanent_error(smtp: Inbox) -> None:
    smtp.refuse["alice@example.com"] = "550 5.1.1 no such user"

    with pytest.raises(PermanentError):
        DjangoMailer(from_email="noreply@example.com").send(MESSAGE)

    assert smtp.messages == []


def test_a_recipient_deferred_is_a_transient_error(smtp: Inbox) -> None:
    smtp.refuse["alice@example.com"] = "451 4.7.1 try again later"

    with pytest.raises(TransientError):
        DjangoMailer(from_email="noreply@example.com").send(MESSAGE)


def test_an_unreachable_mail_server_is_a_transient_error(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2

    with pytest.raises(TransientError):
        DjangoMailer(from_email="noreply@example.com").send(MESSAGE)
