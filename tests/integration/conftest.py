from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model

from adapters.memory import InMemoryUnitOfWork
from adapters.orm.unit_of_work import DjangoUnitOfWork
from domain.ports import UnitOfWork


@pytest.fixture
def make_user(db: None):  # type: ignore[no-untyped-def]
    def make(name: str = "alice") -> int:
        user, _ = get_user_model().objects.get_or_create(username=name)
        return int(user.pk)

    return make


@pytest.fixture(params=["memory", pytest.param("django", marks=pytest.mark.django_db(transaction=True))])
def uow_and_owners(request: pytest.FixtureRequest) -> Iterator[tuple[UnitOfWork, int, int]]:
    """The same contract runs on the in-memory and the Django unit of work, for two owners."""
    if request.param == "memory":
        yield InMemoryUnitOfWork(), 1, 2
    else:
        make_user = request.getfixturevalue("make_user")
        yield DjangoUnitOfWork(), make_user("alice"), make_user("bob")
