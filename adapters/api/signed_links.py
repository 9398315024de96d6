"""Signed links to a report's HTML page, which a browser opens without an Authorization header.

A link names one report and its owner and expires `REPORT_LINK_TTL_SECONDS` after it was
handed out; Django's signer (keyed by SECRET_KEY) makes it tamper-proof. The signature
authenticates the request as the report's owner, for that page only; the use case still
decides what the owner may read (their own report, once its job succeeded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from adapters.api.http_errors import InvalidLink, LinkExpired
from config.container import container

QUERY_PARAMETER = "signature"
_SALT = "reportflow.report-html-link"


@dataclass(frozen=True, slots=True)
class SignedLink:
    signature: str
    expires_at: datetime


def sign_report_html(report_id: UUID, owner_id: int, *, now: datetime) -> SignedLink:
    expires_at = now.replace(microsecond=0) + timedelta(seconds=settings.REPORT_LINK_TTL_SECONDS)
    claims = {"report": str(report_id), "owner": owner_id, "expires": int(expires_at.timestamp())}
    return SignedLink(signature=signing.Signer(salt=_SALT).sign_object(claims), expires_at=expires_at)


def owner_of(signature: str, report_id: UUID, *, now: datetime) -> int:
    """The owner a link was signed for. Raises InvalidLink (missing, tampered, or another
    report's) or LinkExpired."""
    try:
        claims = signing.Signer(salt=_SALT).unsign_object(signature)
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidLink() from exc
    if not isinstance(claims, dict) or claims.get("report") != str(report_id):
        raise InvalidLink()
    owner, expires = claims.get("owner"), claims.get("expires")
    if not isinstance(owner, int) or not isinstance(expires, int):
        raise InvalidLink()
    if now >= datetime.fromtimestamp(expires, UTC):
        raise LinkExpired()
    return owner


class SignedLinkAuthentication(BaseAuthentication):
    """Authenticates a request for one report's page by the signed link in its query."""

    def authenticate(self, request: Request) -> tuple[Any, None]:
        report_id = request.parser_context["kwargs"]["report_id"]
        signature = request.query_params.get(QUERY_PARAMETER, "")
        owner = owner_of(signature, report_id, now=container.clock().now())
        user = get_user_model().objects.filter(pk=owner, is_active=True).first()
        if user is None:
            raise InvalidLink()
        return user, None


class SignedLinkScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = SignedLinkAuthentication
    name = "signedLink"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "query",
            "name": QUERY_PARAMETER,
            "description": "the signature of a link handed out in a report's `links.html_signed`; it expires",
        }
