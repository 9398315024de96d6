"""API tokens at rest: issued, listed, revoked and rotated through django-rest-knox, which
stores only a token's SHA-512 digest. The plain token exists once, in what `issue` returns."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from knox.settings import knox_settings

from adapters.orm.models import ApiTokenRecord
from adapters.orm.prepared import prepared
from adapters.orm.statements import Table


class InvalidUserName(ValueError):
    """The name cannot be a user's: empty, or refused by the user model's validator."""


def user_named(username: str) -> tuple[AbstractBaseUser, bool]:
    """The user with this name, created (with no password) if there is none; and whether it was."""
    if not username.strip():
        raise InvalidUserName("a user name is required")
    model = get_user_model()
    try:
        model.username_validator(username)
    except ValidationError as exc:
        raise InvalidUserName(f"{username!r}: {' '.join(exc.messages)}") from exc
    lookup: dict[str, Any] = {model.USERNAME_FIELD: username}
    user, created = model.objects.get_or_create(**lookup)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def issue(user: AbstractBaseUser, *, rotate: bool = False) -> tuple[ApiTokenRecord, str]:
    """A new token for `user`, expiring after TOKEN_TTL_DAYS; `rotate` revokes its others."""
    with transaction.atomic():
        if rotate:
            ApiTokenRecord.objects.filter(user=user).delete()
        return ApiTokenRecord.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)


def live_tokens(owner_id: int, now: datetime) -> list[ApiTokenRecord]:
    """The owner's tokens that still authenticate, newest first."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=now)
    return list(ApiTokenRecord.objects.filter(live, user_id=owner_id).order_by("-created"))


def revoke(owner_id: int, token_id: UUID) -> bool:
    """Delete the owner's token with this id; False when the owner has none such."""
    deleted, _ = ApiTokenRecord.objects.filter(user_id=owner_id, id=token_id).delete()
    return deleted > 0


def purge_expired(now: datetime) -> int:
    """Delete every token that expired (each is refused anyway); how many were deleted."""
    deleted, _ = ApiTokenRecord.objects.filter(expiry__lt=now).delete()
    return deleted


def tokens_with_key(token_key: str) -> list[ApiTokenRecord]:
    """The tokens whose key (their first characters) is `token_key`, each with its user: what
    every authenticated request asks, in one statement built once instead of a queryset
    compiled per request."""
    tokens, users, sql = _tokens_with_key_statement()
    with connection.cursor() as cursor:
        cursor.execute(prepared(sql), [token_key])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        token = tokens.instance(row[: tokens.width])
        token.user = users.instance(row[tokens.width :])
        found.append(token)
    return found


@functools.cache
def _tokens_with_key_statement() -> tuple[Table[ApiTokenRecord], Table[Any], str]:
    tokens, users = Table(ApiTokenRecord, read_only=True), Table(get_user_model(), read_only=True)
    pk = users.model._meta.pk
    assert pk is not None
    sql = (
        f"SELECT {tokens.columns}, {users.columns} FROM {tokens.name}"
        f" JOIN {users.name} ON {users.name}.{users.column(pk.attname)} = {tokens.name}.{tokens.column('user_id')}"
        f" WHERE {tokens.name}.{tokens.column('token_key')} = %s"
    )
    return tokens, users, sql
