"""Sketches travel inside JSON partial profiles as base64 text."""

from __future__ import annotations

import base64


def to_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def from_text(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
