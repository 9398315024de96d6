"""A user's e-mail notification preferences: read them, change them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.notifications.read_models import EmailPreferencesView
from domain.notifications.preferences import EmailPreferences
from domain.ports import UnitOfWork


class GetEmailPreferences(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int


class GetEmailPreferencesHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, query: GetEmailPreferences) -> EmailPreferencesView:
        with self._uow as uow:
            return EmailPreferencesView.of(uow.email_preferences.get(query.owner_id))


class ChangeEmailPreferences(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner_id: int
    email: str | None = Field(default=None, max_length=254)
    email_on_success: bool | None = None
    email_on_failure: bool | None = None


class ChangeEmailPreferencesHandler:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: ChangeEmailPreferences) -> EmailPreferencesView:
        """Changes what is given, keeps the rest. Raises EmailAddressRequired when opting in
        without an address."""
        with self._uow as uow:
            current = uow.email_preferences.get(cmd.owner_id)
            changed = EmailPreferences(
                owner_id=cmd.owner_id,
                email=current.email if cmd.email is None else cmd.email,
                on_success=current.on_success if cmd.email_on_success is None else cmd.email_on_success,
                on_failure=current.on_failure if cmd.email_on_failure is None else cmd.email_on_failure,
            )
            uow.email_preferences.save(changed)
            uow.commit()
        return EmailPreferencesView.of(changed)
