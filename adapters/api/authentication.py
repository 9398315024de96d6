"""`Authorization: Token <key>`, checked against the hashed tokens (django-rest-knox)."""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

import structlog
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from adapters.orm import api_tokens

INVALID = "Invalid token."


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, with a key that is not UTF-8 refused as a 401 instead of raising.
    The request's log lines (and audit) then name the user and the token by their ids, never
    by the key."""

    def authenticate_credentials(self, token: bytes) -> Any:
        """knox's check (the candidates by key, an expired one deleted, the digest compared in
        constant time, the expiry renewed when AUTO_REFRESH asks), with the candidates and
        their users read by one prebuilt statement instead of a queryset compiled per request."""
        try:
            key = token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(INVALID) from exc
        for candidate in api_tokens.tokens_with_key(key[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(candidate):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error) as exc:
                raise AuthenticationFailed(INVALID) from exc
            if compare_digest(digest, candidate.digest):
                if knox_settings.AUTO_REFRESH and candidate.expiry:
                    self.renew_token(candidate)
                user, auth_token = self.validate_user(candidate)
                structlog.contextvars.bind_contextvars(user_id=user.pk, token_id=str(auth_token.id))
                return user, auth_token
        raise AuthenticationFailed(INVALID)

    def _cleanup_token(self, auth_token: Any) -> bool:
        """True (and the token deleted) when this token expired. knox also sweeps every other
        token of the user here, a query on every request; housekeeping sweeps them instead."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema describes it: the `Authorization` header, `Token <key>`."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
