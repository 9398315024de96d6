"""The worker's liveness step: its heartbeat file is there while the worker runs and gone once it
stops, whichever way Celery shuts it down, even when a beat was already under way."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from adapters.celery.liveness import WorkerLiveness


class ManualTimer:
    """Celery's timer, driven by hand: the test decides when a beat runs."""

    def __init__(self) -> None:
        self.beat: Any = None
        self.cancelled = False

    def call_repeatedly(self, seconds: float, fun: Any, args: tuple[Any, ...]) -> ManualTimer:
        self.beat = lambda: fun(*args)
        return self

    def cancel(self) -> None:
        self.cancelled = True


class Worker:
    hostname = "celery@test"

    def __init__(self) -> None:
        self.timer = ManualTimer()


@pytest.fixture
def heartbeat(settings: Any, tmp_path: Path) -> Path:
    settings.WORKER_HEARTBEAT_FILE = str(tmp_path / "worker.heartbeat")
    settings.WORKER_HEARTBEAT_SECONDS = 60
    settings.WORKER_METRICS_PORT = 0
    return Path(settings.WORKER_HEARTBEAT_FILE)


@pytest.mark.parametrize("shutdown", ["stop", "terminate"])
def test_the_file_is_there_while_the_worker_runs_and_gone_after_a_warm_or_cold_shutdown(
    heartbeat: Path, shutdown: str
) -> None:
    worker = Worker()
    step = WorkerLiveness(worker)
    step.start(worker)
    assert heartbeat.exists()

    getattr(step, shutdown)(worker)

    assert not heartbeat.exists() and worker.timer.cancelled


def test_a_beat_after_the_stop_does_not_bring_the_file_back(heartbeat: Path) -> None:
    worker = Worker()
    step = WorkerLiveness(worker)
    step.start(worker)
    step.stop(worker)

    worker.timer.beat()  # already due when the worker stopped

    assert not heartbeat.exists()


def test_a_beat_under_way_when_the_worker_stops_finishes_before_the_file_goes(
    heartbeat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = Worker()
    step = WorkerLiveness(worker)
    step.start(worker)
    heartbeat.unlink()
    touching, release = threading.Event(), threading.Event()
    touch = Path.touch

    def slow_touch(path: Path, *args: Any, **kwargs: Any) -> None:
        touching.set()
        release.wait(5)
        touch(path, *args, **kwargs)

    monkeypatch.setattr(Path, "touch", slow_touch)
    beating = threading.Thread(target=worker.timer.beat)
    beating.start()
    assert touching.wait(5)
    stopping = threading.Thread(target=step.stop, args=(worker,))
    stopping.start()
    release.set()
    beating.join(5)
    stopping.join(5)

    assert not heartbeat.exists()
