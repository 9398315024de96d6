"""Rotate an endpoint's signing secret; the previous one keeps signing for a grace period."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.notifications.owned import owned_endpoint
from application.notifications.read_models import EndpointWithSecret
from application.notifications.settings import NotificationSettings
from domain.notifications.endpoint import SigningSecret
from domain.ports import Clock, UnitOfWork


class RotateWebhookSecret(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    endpoint_id: UUID
    grace_seconds: float | None = Field(default=None, ge=0)  # None: the configured grace period


class RotateWebhookSecretHandler:
    def __init__(self, *, uow: UnitOfWork, clock: Clock, settings: NotificationSettings) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings

    def __call__(self, cmd: RotateWebhookSecret) -> EndpointWithSecret:
        """The new secret, shown this once. Raises NotFound."""
        grace = self._settings.secret_grace_seconds if cmd.grace_seconds is None else cmd.grace_seconds
        grace = min(grace, self._settings.max_secret_grace_seconds)
        with self._uow as uow:
            endpoint = owned_endpoint(uow, cmd.owner_id, cmd.endpoint_id, for_update=True)
            endpoint.rotate_secret(SigningSecret.generate(), now=self._clock.now(), grace_seconds=grace)
            uow.webhook_endpoints.save(endpoint)
            uow.commit()
        return EndpointWithSecret.of_new(endpoint)
