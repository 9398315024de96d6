"""Queue depths asked of the broker: Redis lists (every priority level) and the embedded folder."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery

from adapters.celery.queue_depth import queue_depth_for

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def queue_name() -> Iterator[str]:
    name = f"depth-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}*"):
        client.delete(key)


def app_on(url: str, **options: object) -> Celery:
    app = Celery("depth-test", set_as_current=False)
    app.conf.update(broker_url=url, task_serializer="json", **options)
    return app


@pytest.mark.redis
def test_redis_queue_depth_counts_every_priority_list_of_a_queue(queue_name: str) -> None:
    app = app_on(REDIS_URL)
    for priority in (None, None, 5, 9):
        app.send_task("reports.process", kwargs={"n": 1}, queue=queue_name, priority=priority)
    depth = queue_depth_for(REDIS_URL, {}, [queue_name, f"{queue_name}-empty"])

    assert depth is not None
    assert depth() == {queue_name: 4, f"{queue_name}-empty": 0}
    app.close()


def test_the_embedded_broker_s_depth_is_the_count_of_its_message_files(tmp_path: Path) -> None:
    folders = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "processed_folder": str(tmp_path / "processed"),
        "control_folder": str(tmp_path / "control"),
    }
    app = app_on(
        "filesystem://localhost/",
        broker_transport="adapters.celery.filesystem_transport:Transport",
        broker_transport_options=folders,
    )
    for queue in ("reports", "reports", "default"):
        app.send_task("reports.process", kwargs={}, queue=queue)
    (tmp_path / "queue" / "not-a-message.tmp").write_text("")
    depth = queue_depth_for("filesystem://localhost/", folders, ["reports", "default", "notifications"])

    assert depth is not None
    assert depth() == {"reports": 2, "default": 1, "notifications": 0}
    app.close()


def test_a_broker_without_a_way_to_count_has_no_queue_depth() -> None:
    assert queue_depth_for("memory://localhost/", {}, ["reports"]) is None


def test_a_redis_broker_that_does_not_answer_raises_for_the_collector_to_report() -> None:
    depth = queue_depth_for("redis://127.0.0.1:1/0", {}, ["reports"])

    assert depth is not None
    with pytest.raises(redis.ConnectionError):
        depth()
