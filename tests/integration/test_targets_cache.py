"""An owner's notification targets are kept per connection once its LISTEN committed, and
forgotten as soon as a change committed anywhere (another connection, the admin, a truncate)
reaches the connection as a notification."""

from __future__ import annotations

import select
import threading
import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from adapters.orm import targets_cache as cache_module
from adapters.orm.notifications import (
    DjangoEmailPreferencesRepository,
    DjangoNotificationTargets,
    DjangoWebhookEndpointRepository,
)
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.notifications.endpoint import SigningSecret, WebhookEndpoint
from domain.notifications.events import EventType
from domain.notifications.preferences import EmailPreferences
from domain.ports import NotificationTargets

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reads(settings, monkeypatch: pytest.MonkeyPatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The owners whose targets were read from the database; a fresh cache for this thread."""
    settings.CACHE_NOTIFICATION_TARGETS = True
    monkeypatch.setattr(cache_module, "_PER_THREAD", threading.local())
    seen: list[int] = []
    original = DjangoNotificationTargets.read

    def counted(self: DjangoNotificationTargets, owner_id: int) -> NotificationTargets:
        seen.append(owner_id)
        return original(self, owner_id)

    monkeypatch.setattr(DjangoNotificationTargets, "read", counted)
    return seen


def at_an_end(owner: int) -> NotificationTargets:
    """What the job-ended hook asks, in a unit of work of its own."""
    with DjangoUnitOfWork() as uow:
        targets = uow.notification_targets.of_owner(owner)
        uow.commit()
    return targets


def elsewhere(change: Callable[[], object]) -> None:
    """Commit a change on another connection (another thread's), as a web process would."""

    def run() -> None:
        try:
            change()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    # Its notification crosses this thread's (listening) connection a moment after the commit,
    # and the cache promises no sooner: wait until it has reached the socket (on a loaded
    # machine it can come after the next end's look, which would then see the change late).
    if connection.connection is not None:
        select.select([connection.connection.pgconn.socket], [], [], 5)


def endpoint(owner: int) -> WebhookEndpoint:
    return WebhookEndpoint.create(
        id=uuid.uuid4(),
        owner_id=owner,
        url="https://hooks.example.com/x",
        events=[EventType.JOB_SUCCEEDED],
        secret=SigningSecret.generate(),
        now=timezone.now(),
    )


@pytest.fixture
def owner(make_user) -> int:  # type: ignore[no-untyped-def]
    return int(make_user("alice"))


def test_targets_are_read_until_the_listen_committed_then_kept(owner: int, reads: list[int]) -> None:
    for _ in range(4):
        at_an_end(owner)

    assert reads == [owner, owner]  # the LISTEN's own transaction, then the read that is kept


def test_a_webhook_registered_elsewhere_is_seen_by_the_next_end(owner: int, reads: list[int]) -> None:
    at_an_end(owner), at_an_end(owner)
    before = at_an_end(owner)
    created = endpoint(owner)

    elsewhere(lambda: DjangoWebhookEndpointRepository().add(created))
    after = at_an_end(owner)

    assert (before.endpoints, [e.id for e in after.endpoints]) == ([], [created.id])
    assert reads == [owner, owner, owner]


def test_preferences_and_the_account_address_changed_elsewhere_are_seen(owner: int, reads: list[int]) -> None:
    at_an_end(owner), at_an_end(owner)
    preferences = EmailPreferences(owner_id=owner, email="a@example.com", on_success=True)

    elsewhere(lambda: DjangoEmailPreferencesRepository().save(preferences))
    saved = at_an_end(owner)
    elsewhere(lambda: get_user_model().objects.filter(pk=owner).update(email="alice@example.com"))
    defaults = at_an_end(owner)  # before saving preferences the account's address is used
    elsewhere(lambda: DjangoEmailPreferencesRepository().save(EmailPreferences(owner_id=owner)))
    elsewhere(lambda: get_user_model().objects.filter(pk=owner).update(email="new@example.com"))
    renamed = at_an_end(owner)

    assert (saved.email.email, saved.email.on_success) == ("a@example.com", True)
    assert defaults.email.email == "a@example.com"  # saved preferences keep their own address
    assert (renamed.email.email, renamed.email.on_success) == ("", False)


def test_another_owners_change_leaves_what_is_kept_for_this_one(make_user, reads: list[int]) -> None:  # type: ignore[no-untyped-def]
    alice, bob = make_user("alice"), make_user("bob")
    at_an_end(alice), at_an_end(alice)

    elsewhere(lambda: DjangoWebhookEndpointRepository().add(endpoint(bob)))
    at_an_end(alice)

    assert reads == [alice, alice]


def test_a_new_connection_starts_with_nothing_kept(owner: int, reads: list[int]) -> None:
    at_an_end(owner), at_an_end(owner)
    connection.close()

    at_an_end(owner), at_an_end(owner), at_an_end(owner)

    assert reads == [owner] * 4


def test_inside_an_outer_transaction_its_own_changes_are_seen(owner: int, reads: list[int]) -> None:
    at_an_end(owner), at_an_end(owner)  # kept
    created = endpoint(owner)

    with transaction.atomic():  # its change is notified only when it commits
        DjangoWebhookEndpointRepository().add(created)
        inside = at_an_end(owner)
        transaction.set_rollback(True)

    assert [e.id for e in inside.endpoints] == [created.id]


def test_a_truncated_table_forgets_every_owner(make_user, reads: list[int]) -> None:  # type: ignore[no-untyped-def]
    alice = make_user("alice")
    at_an_end(alice), at_an_end(alice)

    def truncate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE webhook_endpoint CASCADE")

    elsewhere(truncate)
    at_an_end(alice)

    assert reads == [alice, alice, alice]
