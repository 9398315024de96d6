"""Young garbage is collected after each request or task, on the collector's own schedule, one
step a call: the generation due, never more."""

from __future__ import annotations

import gc
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import gc_freeze
from config.gc_freeze import YOUNG_THRESHOLD, collect_after_each_piece_of_work, collect_young


@pytest.fixture(autouse=True)
def _threshold(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    kept = gc.get_threshold()
    monkeypatch.setattr(gc_freeze, "_collecting_after_work", False)  # as a test run's process is
    yield
    gc.set_threshold(*kept)


def collected() -> list[int]:
    """The generations collected by one call of collect_young."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        collect_young()
    finally:
        gc.callbacks.remove(note)
    return seen


def test_each_call_is_one_young_pass_and_the_older_generations_come_when_due() -> None:
    collect_after_each_piece_of_work()
    gc.collect()  # a full pass: every count starts at zero
    _, young_due, middle_due = gc.get_threshold()

    calls = [collected() for _ in range((young_due + 1) * (middle_due + 1))]

    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert all(len(one) == 1 for one in calls), "one collection a call"
    generations = [one[0] for one in calls]
    assert generations[:young_due] == [0] * young_due
    assert generations[young_due] == 1, "every (young_due + 1)th pass takes the middle generation"
    assert generations.count(2) == 1, "and a full pass once the middle one's count is due"


def test_a_process_that_did_not_choose_it_keeps_the_collectors_own_schedule() -> None:
    before = gc.get_threshold()

    assert collected() == []
    assert gc.get_threshold() == before


def test_gunicorn_collects_once_each_answer_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(__file__).parents[3] / "gunicorn.conf.py")
    assert spec is not None and spec.loader is not None
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    calls: list[bool] = []
    monkeypatch.setattr(conf, "collect_young", lambda: calls.append(True))

    conf.post_request(None, None, {}, None)

    assert calls == [True]
