"""How notifications behave: when an endpoint is disabled, how long a rotated secret lives."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NotificationSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # an endpoint whose deliveries fail this many times in a row (each after its last
    # attempt) is disabled; a 410 Gone disables it at once
    disable_after_failures: int = Field(default=5, ge=1)
    # after a rotation, the previous secret keeps signing (beside the new one) this long
    secret_grace_seconds: float = Field(default=24 * 3600, ge=0)
    max_secret_grace_seconds: float = Field(default=7 * 24 * 3600, ge=0)
    max_endpoints_per_owner: int = Field(default=20, ge=1)
    # the right-hand side of e-mail Message-IDs
    message_id_domain: str = Field(default="reportflow.localhost", min_length=1)
    user_agent: str = "reportflow-webhooks/1"
