from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.api.conftest import alice, receivers, run_worker, task_queue, upload, upload_fanned_out

__all__ = ["alice", "receivers", "run_worker", "task_queue", "upload", "upload_fanned_out"]


@pytest.fixture
def operator(db: None) -> Client:
    """A browser session of a staff member (not a superuser: staff is what the console asks)."""
    user = get_user_model().objects.create_user("ops", password="a-long-operator-password", is_staff=True)
    client = Client()
    client.force_login(user)
    return client
