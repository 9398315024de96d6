from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def make_user(db: None):  # type: ignore[no-untyped-def]
    def make(name: str = "alice") -> int:
        user, _ = get_user_model().objects.get_or_create(username=name)
        return int(user.pk)

    return make
