"""Scenario 8: a job that always fails transiently uses its whole attempt budget with
growing delays, goes dead, shows in the dead-letter queue, and a replay revives it."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.chaos.harness import ENGINE_ENV, chaos_stack
from tests.chaos.load import accepted_ids, submit_reports
from tests.chaos.probe import Database, starts, transitions
from tests.chaos.services import PrivateRedis

MAX_ATTEMPTS = int(ENGINE_ENV["REPORT_MAX_ATTEMPTS"])
BASE, CAP = float(ENGINE_ENV["RETRY_BASE_SECONDS"]), float(ENGINE_ENV["RETRY_CAP_SECONDS"])
CLOCK_SLACK = 0.05  # seconds: event times come from different processes' clocks


def test_a_job_that_always_fails_transiently_dies_after_its_attempts_and_a_replay_revives_it(
    tmp_path: Path, shared_database: str, private_redis: PrivateRedis, figures: dict[str, Any]
) -> None:
    flag, db = tmp_path / "fault.flag", Database(shared_database)
    env = {"REPORT_ENGINE": "tests.chaos.faults:FlakyAnalyzer", "CHAOS_FAULT_FLAG": str(flag)}
    flag.touch()

    with chaos_stack(tmp_path / "var", database_url=shared_database, broker_url=private_redis.url, env=env) as stack:
        (job_id,) = accepted_ids(submit_reports(stack, 1))
        died_in = db.wait_until(1, ("dead",), timeout=60)
        dead_trail = db.events()[job_id]
        with stack.client() as client:
            dead_letters = [job["id"] for job in client.get("/api/v1/dead-letters/").json()["results"]]
            flag.unlink()
            replay = client.post(f"/api/v1/dead-letters/{job_id}/replay/")
            replayed_at = time.monotonic()
            db.wait_until(1, ("succeeded",), timeout=60)
            revived_in = time.monotonic() - replayed_at
            dead_letters_after = [job["id"] for job in client.get("/api/v1/dead-letters/").json()["results"]]
            final = client.get(f"/api/v1/jobs/{job_id}/").json()

    attempts = starts(dead_trail)
    failures = transitions(dead_trail, "running", "retrying")
    scheduled = [(datetime.fromisoformat(e.data["retry_at"]) - e.at).total_seconds() for e in failures]
    waited = [(start.at - failure.at).total_seconds() for failure, start in zip(failures, attempts[1:], strict=True)]
    trail = db.events()[job_id]
    figures.update(
        max_attempts=MAX_ATTEMPTS,
        attempts_before_dead=len(attempts),
        scheduled_delays_seconds=[round(s, 3) for s in scheduled],
        observed_delays_seconds=[round(w, 3) for w in waited],
        seconds_to_dead=round(died_in, 1),
        listed_in_dead_letters=job_id in dead_letters,
        replay_status=replay.status_code,
        seconds_from_replay_to_succeeded=round(revived_in, 1),
        final_status=final["status"],
        final_attempts=final["attempts"],
    )

    assert [e.attempt for e in attempts] == list(range(1, MAX_ATTEMPTS + 1))
    assert [e.attempt for e in failures] == list(range(1, MAX_ATTEMPTS))
    (death,) = transitions(dead_trail, "running", "dead")
    assert death.attempt == MAX_ATTEMPTS and "injected fault" in death.message
    for attempt, delay in enumerate(scheduled, start=1):
        ceiling = min(CAP, BASE * 2 ** (attempt - 1))
        assert ceiling / 2 - CLOCK_SLACK <= delay <= ceiling + CLOCK_SLACK, (attempt, delay, ceiling)
    assert scheduled == sorted(scheduled) and scheduled[0] < scheduled[-1], scheduled
    assert all(w >= s - CLOCK_SLACK for w, s in zip(waited, scheduled, strict=True)), (waited, scheduled)
    assert waited[-1] > waited[0], waited
    assert job_id in dead_letters
    assert replay.status_code == 202, replay.text
    assert final["status"] == "succeeded" and final["attempts"] == MAX_ATTEMPTS + 1
    assert job_id not in dead_letters_after
    replay_events = [(e.from_status, e.to_status, e.attempt) for e in trail[len(dead_trail) :]]
    revived = MAX_ATTEMPTS + 1
    assert replay_events == [
        ("dead", "queued", MAX_ATTEMPTS),
        ("queued", "running", revived),
        ("running", "succeeded", revived),
    ]
