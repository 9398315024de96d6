"""The task edge counts what each delivery and each reconciler run came to, once it committed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from adapters.celery.tasks import JOB_TASKS, reconcile
from adapters.orm.unit_of_work import DjangoUnitOfWork
from application.jobs.pipeline import AttemptOutcome, Outcome, RunAttempt
from config.container import container
from domain.job import Job


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_every_delivery_is_counted_by_kind_and_outcome() -> None:
    def retried(cmd: RunAttempt) -> AttemptOutcome:
        return AttemptOutcome(outcome=Outcome.RETRY_SCHEDULED, job_id=cmd.job_id, attempt=cmd.attempt)

    labels = {"kind": "report.chunk", "outcome": "retry_scheduled"}
    before = sample("reportflow_job_attempts_total", **labels)

    with container.attempt_pipeline.override(retried):
        JOB_TASKS["report.chunk"].apply(kwargs={"job_id": str(uuid.uuid4()), "attempt": 2})

    assert sample("reportflow_job_attempts_total", **labels) - before == 1


def test_each_step_of_an_attempt_is_timed_by_kind_and_step_and_logged(log_lines: list[dict[str, Any]]) -> None:
    def timed(cmd: RunAttempt) -> AttemptOutcome:
        retried = AttemptOutcome(outcome=Outcome.RETRY_SCHEDULED, job_id=cmd.job_id, attempt=cmd.attempt)
        return retried.model_copy(update={"claim_seconds": 0.003, "work_seconds": 0.2})

    def counts() -> dict[str, float]:
        return {
            step: sample("reportflow_attempt_step_seconds_count", kind="report.merge", step=step)
            for step in ("claim", "work", "record")
        }

    before = counts()
    work_before = sample("reportflow_attempt_step_seconds_sum", kind="report.merge", step="work")

    with container.attempt_pipeline.override(timed):
        JOB_TASKS["report.merge"].apply(kwargs={"job_id": str(uuid.uuid4()), "attempt": 1})

    after = counts()
    assert {step: after[step] - before[step] for step in after} == {"claim": 1, "work": 1, "record": 0}
    assert sample("reportflow_attempt_step_seconds_sum", kind="report.merge", step="work") - work_before == 0.2
    ended = [line for line in log_lines if line["event"] == "attempt ended"]
    assert [(line["claim_ms"], line["work_ms"], line["record_ms"]) for line in ended] == [(3.0, 200.0, 0.0)]


@pytest.mark.django_db(transaction=True)
def test_a_reconciler_run_counts_the_leases_it_found_expired(make_user: object) -> None:
    owner = make_user("alice")  # type: ignore[operator]
    started = datetime.now(UTC) - timedelta(hours=1)
    lost = Job.create(
        id=uuid.uuid4(), kind="report.process", owner_id=owner, queue="reports", max_attempts=3, now=started, actor="u"
    )
    lost.start(now=started, worker="gone", lease_seconds=30)
    uow = DjangoUnitOfWork()
    with uow:
        uow.jobs.add(lost)
        uow.commit()
    before = sample("reportflow_reconciler_actions_total", action="lease_expired")

    reconcile.apply()

    assert sample("reportflow_reconciler_actions_total", action="lease_expired") - before == 1
