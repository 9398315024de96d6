"""Standard Webhooks signatures, made by the `standardwebhooks` library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook


class StandardWebhooksSigner:
    def sign(self, *, secrets: Sequence[str], message_id: str, timestamp: datetime, body: str) -> str:
        """`v1,<base64>` per secret, space-separated: a receiver accepts any one that matches."""
        return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets)
