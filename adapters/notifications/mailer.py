"""The mailer over Django's e-mail backend (console by default, SMTP by settings)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage as DjangoEmailMessage

from application.notifications.ports import EmailMessage
from domain.errors import PermanentError, TransientError


class DjangoMailer:
    def __init__(self, *, from_email: str) -> None:
        self._from_email = from_email

    def send(self, message: EmailMessage) -> None:
        """Raises PermanentError when the server refuses the recipient or the message for good
        (5xx), TransientError for anything that may pass later."""
        email = DjangoEmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self._from_email,
            to=[message.to],
            headers={"Message-ID": message.message_id, **message.headers},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentError(f"the mail server refused {message.to}: {codes}") from None
            raise TransientError(f"the mail server deferred {message.to}: {codes}") from None
        except smtplib.SMTPResponseException as exc:
            error = PermanentError if exc.smtp_code >= 500 else TransientError
            raise error(f"the mail server answered {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"the mail server is unavailable: {type(exc).__name__}: {exc}") from None
