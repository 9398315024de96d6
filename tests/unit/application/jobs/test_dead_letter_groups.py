from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.jobs.dead_letter_groups import DeadLetter, Fingerprint, group_dead_letters, normalise_message

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        ("injected fault: /tmp/pytest-7/fault.flag exists", "injected fault: <path> exists"),
        (
            "job 3f2b8c1e-0d4a-4f6e-9a7b-2c5d8e1f0a3b not found",
            "job <uuid> not found",
        ),
        ("connection refused after 3 tries (port 5432)", "connection refused after <n> tries (port <n>)"),
        ("took 12.5 s", "took <n> s"),
        ("object at 0x7f3a2b1c4d50 is broken", "object at <hex> is broken"),
        ("digest 9f86d081884c7d659a2feaa0c55ad015 differs", "digest <hex> differs"),
        (r"cannot open C:\data\in\file.csv now", "cannot open <path> now"),
        ("see https://hooks.example.com/a/1 for more", "see https://hooks.example.com/a/<n> for more"),
        ("1/2 of the rows", "<n>/<n> of the rows"),
        ("a  \n  b ", "a b"),
        ("", ""),
    ],
)
def test_normalising_replaces_what_differs_between_jobs(message: str, normalised: str) -> None:
    assert normalise_message(message) == normalised


def test_a_message_differing_only_in_numbers_ids_and_paths_has_one_fingerprint() -> None:
    first = Fingerprint.of(
        error_type="TransientError", error=f"row 12 of /srv/a.csv in {uuid.uuid4()}", kind="report.process"
    )
    second = Fingerprint.of(
        error_type="TransientError", error=f"row 907 of /srv/b/c.csv in {uuid.uuid4()}", kind="report.process"
    )

    assert first == second and first.key == second.key and len(first.key) == 16


def test_the_error_type_and_the_kind_are_part_of_the_fingerprint() -> None:
    base = Fingerprint.of(error_type="TransientError", error="boom", kind="report.process")

    assert base != Fingerprint.of(error_type="PermanentError", error="boom", kind="report.process")
    assert base != Fingerprint.of(error_type="TransientError", error="boom", kind="report.chunk")
    assert Fingerprint.of(error_type="", error="boom", kind="k").error_type == "unknown"


def test_dead_letters_group_by_cause_with_counts_and_first_and_last_seen() -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    letters = [
        DeadLetter(job_id=ids[0], kind="report.process", error="timeout after 30 s", error_type="T", died_at=T0),
        DeadLetter(
            job_id=ids[1],
            kind="report.process",
            error="timeout after 45 s",
            error_type="T",
            died_at=T0 + timedelta(hours=2),
        ),
        DeadLetter(
            job_id=ids[2], kind="webhook.deliver", error="HTTP 500", error_type="T", died_at=T0 + timedelta(hours=3)
        ),
        DeadLetter(
            job_id=ids[3],
            kind="report.process",
            error="timeout after 5 s",
            error_type="T",
            died_at=T0 + timedelta(hours=1),
        ),
    ]

    groups = group_dead_letters(letters)

    assert [(g.fingerprint.message, g.count) for g in groups] == [("timeout after <n> s", 3), ("HTTP <n>", 1)]
    timeouts = groups[0]
    assert timeouts.first_seen == T0 and timeouts.last_seen == T0 + timedelta(hours=2)
    assert timeouts.job_ids == [ids[1], ids[3], ids[0]]


def test_groups_of_equal_size_come_most_recent_first() -> None:
    older = DeadLetter(job_id=uuid.uuid4(), kind="k", error="a", error_type="T", died_at=T0)
    newer = DeadLetter(job_id=uuid.uuid4(), kind="k", error="b", error_type="T", died_at=T0 + timedelta(minutes=1))

    assert [g.fingerprint.message for g in group_dead_letters([older, newer])] == ["b", "a"]
