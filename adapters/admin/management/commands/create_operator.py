"""`manage.py create_operator NAME`: a staff superuser for the operator console at /admin/.

The password comes from the PASSWORD environment variable (automation) or is asked for twice
on the terminal; it never appears on a command line. An existing user is promoted and gets
the new password.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.orm.api_tokens import InvalidUserName, user_named


class Command(BaseCommand):
    help = "Create (or promote) a staff superuser for the operator console; password from PASSWORD or a prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        password = os.environ.get("PASSWORD") or self._ask()
        model = get_user_model()
        try:
            # checked before anything is written, against the name it will have
            validate_password(password, model(**{model.USERNAME_FIELD: username}))
        except ValidationError as exc:
            raise CommandError(f"password refused: {' '.join(exc.messages)}") from exc
        try:
            found, created = user_named(username)
        except InvalidUserName as exc:
            raise CommandError(str(exc)) from exc
        user: Any = found  # the project's user model: a Django User, with is_staff and is_superuser
        user.set_password(password)
        user.is_staff = user.is_superuser = user.is_active = True
        user.save()
        url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/admin/"
        self.stdout.write(f"{'created' if created else 'updated'} staff superuser {username!r}; sign in at {url}")

    def _ask(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password on: set PASSWORD in the environment")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return password
