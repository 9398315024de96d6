"""`manage.py issue_token NAME [--rotate]`: a new API token for the user, alone on the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.orm.api_tokens import InvalidUserName, issue, user_named


class Command(BaseCommand):
    help = (
        "Create the user if needed and print a new API token for it alone on the last line. Only the token's "
        "digest is stored, so a token is shown once; --rotate revokes the user's other tokens."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="revoke every other token of the user")

    def handle(self, *args: Any, username: str, rotate: bool, **options: Any) -> None:
        try:
            user, created = user_named(username)
        except InvalidUserName as exc:
            raise CommandError(str(exc)) from exc
        record, token = issue(user, rotate=rotate)
        expires = f"expires {record.expiry:%Y-%m-%d %H:%M} UTC" if record.expiry else "never expires"
        revoked = ", its other tokens revoked" if rotate else ""
        who = f"{'created' if created else 'existing'} user {username!r}"
        self.stderr.write(f"{who}: new token {record.id}, {expires}{revoked}")
        self.stdout.write(token)
