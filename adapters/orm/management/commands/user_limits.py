"""`manage.py user_limits NAME [--submit-rate RATE | --default]`: show or set a user's own limits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.orm.user_limits import DjangoRateOverrides, set_submit_rate
from adapters.rate_limits.rates import parse_rate


class Command(BaseCommand):
    help = (
        "Show or set a user's own submission rate limit (COUNT/PERIOD, or 0 for none); --default goes back "
        "to SUBMIT_RATE_LIMIT. Web processes pick a change up within a minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--submit-rate", help="e.g. 600/min, or 0 for no limit")
        choice.add_argument("--default", action="store_true", help="use SUBMIT_RATE_LIMIT again")

    def handle(self, *args: Any, username: str, submit_rate: str | None, default: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if submit_rate is not None:
            try:
                parse_rate(submit_rate)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            set_submit_rate(user.pk, submit_rate.strip() or "0")
        elif default:
            set_submit_rate(user.pk, None)
        own = DjangoRateOverrides().submit_rate(user.pk)
        shown = own if own is not None else f"{settings.SUBMIT_RATE_LIMIT or '0'} (SUBMIT_RATE_LIMIT)"
        self.stdout.write(f"{username}: submit rate {shown}")
