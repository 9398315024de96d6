"""Deliveries a worker took from Redis and has not acknowledged, read from kombu's records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery import Celery
from kombu import Connection, Queue

from adapters.celery.taken_deliveries import RedisTakenDeliveries
from domain.ports import TakenDelivery
from tests.e2e.services import held_redis_database, redis_url

JOB_TASK = "reports.process"


@pytest.fixture
def broker() -> Iterator[str]:
    with held_redis_database(seconds=120) as client:
        yield redis_url(client)


def app_on(url: str) -> Celery:
    app = Celery("reportflow-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=url, broker_transport=None)
    return app


@pytest.mark.redis
def test_a_job_delivery_a_worker_took_and_did_not_acknowledge_is_found_once_taken_long_enough(broker: str) -> None:
    app = app_on(broker)
    job_id = uuid.uuid4()
    app.send_task(JOB_TASK, kwargs={"job_id": str(job_id), "attempt": 2}, queue="default")
    app.send_task("jobs.relay_outbox", queue="default")  # not a job task: never counted
    taken = RedisTakenDeliveries(app, tasks=[JOB_TASK])

    with Connection(broker) as connection:
        queue = connection.SimpleQueue(Queue("default"))
        first, second = queue.get(timeout=5), queue.get(timeout=5)  # taken, as a worker takes them
        after = datetime.now(UTC) + timedelta(seconds=1)
        before = datetime.now(UTC) - timedelta(seconds=60)

        found, too_early = taken.taken_before(after), taken.taken_before(before)
        first.ack()
        second.ack()
        acknowledged = taken.taken_before(after)
        queue.close()
    app.close()

    assert found == [TakenDelivery(job_id=job_id, attempt=2)]
    assert too_early == []
    assert acknowledged == [], "acknowledged: its attempt ended"


@pytest.mark.redis
def test_a_broker_that_cannot_be_read_takes_nothing_from_the_reconciler_s_other_duties() -> None:
    app = app_on("redis://127.0.0.1:1/0")  # nothing listens there

    assert RedisTakenDeliveries(app, tasks=[JOB_TASK]).taken_before(datetime.now(UTC)) == []


def clients_on(client: redis.Redis) -> set[int]:
    """The ids of the clients connected to `client`'s database, but the one asking."""
    db = client.connection_pool.connection_kwargs["db"]
    return {int(c["id"]) for c in client.client_list() if int(c["db"]) == db and c["cmd"] != "client|list"}


@pytest.mark.redis
def test_passes_read_on_one_connection_kept_between_them_and_on_a_new_one_once_the_broker_dropped_it() -> None:
    with held_redis_database(seconds=120) as held:
        app = app_on(redis_url(held))
        taken = RedisTakenDeliveries(app, tasks=[JOB_TASK])
        before = clients_on(held)
        now = datetime.now(UTC)

        taken.taken_before(now)
        first = clients_on(held) - before
        taken.taken_before(now)
        taken.taken_before(now)
        second = clients_on(held) - before
        held.client_kill_filter(_id=next(iter(first)))  # the broker drops it, as a restart would
        after_the_drop = taken.taken_before(now)
        third = clients_on(held) - before
        app.close()

    assert len(first) == 1
    assert second == first, "the next passes read on the same connection"
    assert after_the_drop == []
    assert len(third) == 1 and third != first, "read on a new connection"
