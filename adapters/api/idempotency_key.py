"""The Idempotency-Key request header (IETF httpapi draft): read, validate, fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from application.reports.submit import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def idempotency_key(request: Request, *, parts: Iterable[str], upload: Any | None = None) -> IdempotencyKey | None:
    """The key with a fingerprint of the request (its fields and the file's bytes), or None."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    # The draft makes the value a structured-field string: quotes are optional here.
    key = raw.strip().removeprefix('"').removesuffix('"')
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError({HEADER: [f"must be 1 to {MAX_KEY_LENGTH} printable characters"]})
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, *parts):
        digest.update(part.encode() + b"\0")
    if upload is not None:
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return IdempotencyKey(key=key, fingerprint=digest.hexdigest())
